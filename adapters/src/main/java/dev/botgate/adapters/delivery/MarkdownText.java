package dev.botgate.adapters.delivery;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Markdown answers turned into plain text for platforms that show text as is (WeCom text, Official Accounts). */
public final class MarkdownText {
    private static final Pattern FENCE = Pattern.compile("(?m)^\\s*```[\\w-]*\\s*$\\n?");
    private static final Pattern LINK = Pattern.compile("!?\\[([^\\]\\n]*)]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+");
    private static final Pattern BULLET = Pattern.compile("(?m)^(\\s*)[-*+]\\s+");
    private static final Pattern STRONG = Pattern.compile("(\\*\\*|__)(.+?)\\1");
    private static final Pattern EMPHASIS = Pattern.compile("(?<![\\w*])\\*(?!\\s)([^*\\n]+?)(?<!\\s)\\*(?![\\w*])");
    private static final Pattern STRIKE = Pattern.compile("~~(.+?)~~");
    private static final Pattern CODE = Pattern.compile("`([^`\\n]+)`");

    private MarkdownText() {
    }

    /** Plain text: emphasis marks dropped, headings as lines, bullets as "• ", links as "text (url)". */
    public static String toPlain(String markdown) {
        String s = FENCE.matcher(markdown).replaceAll("");
        Matcher m = LINK.matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String text = m.group(1);
            String url = m.group(2);
            m.appendReplacement(b, Matcher.quoteReplacement(text.isEmpty() || text.equals(url) ? url
                    : text + " (" + url + ")"));
        }
        m.appendTail(b);
        s = b.toString();
        s = HEADING.matcher(s).replaceAll("");
        s = BULLET.matcher(s).replaceAll("$1• ");
        s = STRONG.matcher(s).replaceAll("$2");
        s = EMPHASIS.matcher(s).replaceAll("$1");
        s = STRIKE.matcher(s).replaceAll("$1");
        s = CODE.matcher(s).replaceAll("$1");
        return s;
    }
}
