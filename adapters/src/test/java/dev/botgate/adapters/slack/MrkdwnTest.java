package dev.botgate.adapters.slack;

import org.testng.annotations.Test;

import static org.testng.Assert.assertEquals;

/** Markdown to Slack mrkdwn. */
public class MrkdwnTest {

    @Test
    public void boldItalicStrike() {
        assertEquals(Mrkdwn.convert("**bold** and *italic* and ~~gone~~"), "*bold* and _italic_ and ~gone~");
        assertEquals(Mrkdwn.convert("__bold__"), "*bold*");
    }

    @Test
    public void linksBecomeAngleLinks() {
        assertEquals(Mrkdwn.convert("see [the policy](https://acme.example/a?b=1&c=2)"),
                "see <https://acme.example/a?b=1&c=2|the policy>");
    }

    @Test
    public void headingsBecomeBoldAndBulletsDots() {
        assertEquals(Mrkdwn.convert("## Returns\n- one\n* two"), "*Returns*\n• one\n• two");
    }

    @Test
    public void controlCharactersAreEscaped() {
        assertEquals(Mrkdwn.convert("a < b && c > d"), "a &lt; b &amp;&amp; c &gt; d");
        assertEquals(Mrkdwn.convert("<!channel>"), "&lt;!channel&gt;", "no mass mentions from model output");
    }

    @Test
    public void codeIsLeftAlone() {
        assertEquals(Mrkdwn.convert("run `a **b** <c>` now"), "run `a **b** &lt;c&gt;` now");
        assertEquals(Mrkdwn.convert("```\n**x**\n```"), "```\n**x**\n```");
    }

    @Test
    public void chineseTextPassesThrough() {
        assertEquals(Mrkdwn.convert("**退货**需在七天内申请。"), "*退货*需在七天内申请。");
    }
}
