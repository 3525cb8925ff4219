package dev.botgate.adapters.slack;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Markdown (what models write) to Slack mrkdwn: {@code **b**} → {@code *b*}, {@code *i*} → {@code _i_},
 * {@code ~~s~~} → {@code ~s~}, {@code [t](u)} → {@code <u|t>}, headings → bold lines, bullets → "• ", and
 * {@code & < >} escaped. Code spans and fences keep their content (escaped only).
 */
final class Mrkdwn {
    private static final Pattern CODE = Pattern.compile("```[\\s\\S]*?```|`[^`\\n]+`");
    private static final Pattern LINK = Pattern.compile("\\[([^\\]\\n]+)]\\((https?://[^)\\s]+|mailto:[^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern BULLET = Pattern.compile("(?m)^(\\s*)[-*+]\\s+");
    private static final Pattern STRONG = Pattern.compile("(\\*\\*|__)(?=\\S)(.+?)(?<=\\S)\\1");
    private static final Pattern EMPHASIS = Pattern.compile("(?<![\\w*])\\*(?=\\S)([^*\\n]+?)(?<=\\S)\\*(?![\\w*])");
    private static final Pattern STRIKE = Pattern.compile("~~(?=\\S)(.+?)(?<=\\S)~~");
    private static final char BOLD = '\u0001';

    private Mrkdwn() {
    }

    static String convert(String markdown) {
        StringBuilder out = new StringBuilder();
        Matcher m = CODE.matcher(markdown);
        int last = 0;
        while (m.find()) {
            out.append(prose(markdown.substring(last, m.start())));
            out.append(escape(m.group()));
            last = m.end();
        }
        out.append(prose(markdown.substring(last)));
        return out.toString();
    }

    /** Escapes the three characters Slack treats as control characters. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String prose(String s) {
        // Links first, on the raw text, so their URLs are not touched by emphasis rules.
        StringBuilder b = new StringBuilder();
        Matcher link = LINK.matcher(s);
        int last = 0;
        java.util.List<String> links = new java.util.ArrayList<>();
        while (link.find()) {
            b.append(s, last, link.start());
            links.add("<" + link.group(2).replace(">", "%3E").replace("|", "%7C") + "|"
                    + escape(link.group(1)).replace("|", "¦") + ">");
            b.append('\u0002').append(links.size() - 1).append('\u0003');
            last = link.end();
        }
        b.append(s.substring(last));
        String t = escape(b.toString());
        t = HEADING.matcher(t).replaceAll(r -> Matcher.quoteReplacement(BOLD + r.group(1) + BOLD));
        t = BULLET.matcher(t).replaceAll("$1• ");
        t = STRONG.matcher(t).replaceAll(r -> Matcher.quoteReplacement(BOLD + r.group(2) + BOLD));
        t = EMPHASIS.matcher(t).replaceAll("_$1_");
        t = STRIKE.matcher(t).replaceAll("~$1~");
        t = t.replace(BOLD, '*');
        Matcher placeholder = Pattern.compile("\u0002(\\d+)\u0003").matcher(t);
        return placeholder.replaceAll(r -> Matcher.quoteReplacement(links.get(Integer.parseInt(r.group(1)))));
    }
}
