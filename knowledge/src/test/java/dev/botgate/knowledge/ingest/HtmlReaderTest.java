package dev.botgate.knowledge.ingest;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.nio.charset.Charset;
import java.util.List;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

public class HtmlReaderTest {
    private static final String HTML = """
            <!doctype html>
            <html><head><title>云杉商城 · 运费说明</title>
            <style>body { color: red }</style>
            <script>var tracking = "SHOULD-NOT-APPEAR";</script></head>
            <body>
            <header><a href="/">首页</a> 登录</header>
            <nav><ul><li>导航一</li><li>导航二</li></ul></nav>
            <main>
              <h1>运费说明</h1>
              <p>订单满<b>99元</b>包邮。<br>未满99元收取8元运费。</p>
              <h2>偏远地区</h2>
              <ul><li>新疆、西藏加收15元</li><li>港澳台暂不配送</li></ul>
              <table><tr><th>地区</th><th>首重</th></tr><tr><td>北京</td><td>8元</td></tr></table>
              <form><input name="q"><button>搜索</button></form>
            </main>
            <aside>热销推荐</aside>
            <footer>© 2025 云杉 备案号</footer>
            <noscript>请启用 JavaScript</noscript>
            </body></html>
            """;

    private Document doc;

    @BeforeClass
    void read() {
        doc = new DocumentReader(ChunkingOptions.defaults(), ReadLimits.defaults())
                .read("shipping.html", Fixtures.utf8(HTML));
    }

    private String all() {
        return String.join("\n", doc.chunks().stream().map(Chunk::text).toList());
    }

    @Test
    void titleElementBecomesTheTitle() {
        assertEquals(doc.title(), "云杉商城 · 运费说明");
        assertEquals(doc.source(), "shipping.html");
    }

    @Test
    void scriptsStylesNavigationAndPageChromeAreStripped() {
        String all = all();
        for (String chrome : List.of("SHOULD-NOT-APPEAR", "color", "导航", "首页", "热销推荐", "备案号", "JavaScript",
                "搜索")) {
            assertFalse(all.contains(chrome), "'" + chrome + "' leaked into " + all);
        }
    }

    @Test
    void paragraphsKeepInlineTextAndLineBreaks() {
        assertEquals(doc.chunks().getFirst().text(), "订单满99元包邮。\n未满99元收取8元运费。");
        assertEquals(doc.chunks().getFirst().headingPath(), List.of("运费说明"));
    }

    @Test
    void listItemsAndTableRowsUnderTheSubHeading() {
        Chunk c = doc.chunks().get(1);
        assertEquals(c.headingPath(), List.of("运费说明", "偏远地区"));
        assertEquals(c.text(), "- 新疆、西藏加收15元\n- 港澳台暂不配送\n地区 | 首重\n北京 | 8元");
    }

    @Test
    void gbkPageWithMetaCharsetIsDecoded() {
        String page = "<html><head><meta charset=\"gbk\"><title>说明</title></head><body><p>支付宝退款三天到账。</p>"
                + "</body></html>";
        Document gbk = new DocumentReader(ChunkingOptions.defaults(), ReadLimits.defaults())
                .read("gbk.htm", page.getBytes(Charset.forName("GBK")));
        assertEquals(gbk.chunks().getFirst().text(), "支付宝退款三天到账。");
        assertTrue(gbk.title().equals("说明"), gbk.title());
    }
}
