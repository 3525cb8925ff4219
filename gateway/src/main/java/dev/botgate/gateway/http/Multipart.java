package dev.botgate.gateway.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small {@code multipart/form-data} reader for uploads (Helidon's multipart media module is not published for
 * 4.5, see STACK.md). The body is already bounded by the upload size limit, so it is parsed in memory.
 */
final class Multipart {
    private static final Pattern BOUNDARY = Pattern.compile("boundary=(?:\"([^\"]+)\"|([^;\\s]+))");
    private static final Pattern FILENAME = Pattern.compile("filename\\*?=(?:\"([^\"]*)\"|([^;\\s]+))");
    private static final Pattern NAME = Pattern.compile("[; ]name=(?:\"([^\"]*)\"|([^;\\s]+))");

    /** One part: a form field (no file name) or a file. */
    record Part(String name, String fileName, byte[] content) {
        boolean isFile() {
            return !fileName.isEmpty();
        }

        String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    private Multipart() {
    }

    static List<Part> parse(String contentType, byte[] body) {
        Matcher bm = BOUNDARY.matcher(contentType);
        if (!contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data") || !bm.find()) {
            throw new BadRequestException(415, "upload as multipart/form-data with a boundary, e.g. "
                    + "curl -F file=@faq.csv …");
        }
        byte[] delimiter = ("--" + (bm.group(1) != null ? bm.group(1) : bm.group(2))).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) {
            throw new BadRequestException("malformed multipart body: boundary not found");
        }
        while (true) {
            int after = pos + delimiter.length;
            if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
                return parts;
            }
            int headersStart = skipLineBreak(body, after);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
            if (headersEnd < 0) {
                throw new BadRequestException("malformed multipart body: part headers not terminated");
            }
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            int contentStart = headersEnd + 4;
            int next = indexOf(body, ("\r\n" + new String(delimiter, StandardCharsets.ISO_8859_1))
                    .getBytes(StandardCharsets.ISO_8859_1), contentStart);
            if (next < 0) {
                throw new BadRequestException("malformed multipart body: closing boundary missing (upload cut short?)");
            }
            byte[] content = java.util.Arrays.copyOfRange(body, contentStart, next);
            String disposition = headers.lines().filter(l -> l.toLowerCase(Locale.ROOT)
                    .startsWith("content-disposition:")).findFirst().orElse("");
            parts.add(new Part(group(NAME.matcher(disposition)), fileName(group(FILENAME.matcher(disposition))), content));
            pos = next + 2;
        }
    }

    /** Keeps only the last path segment: browsers and curl may send a full path, and it must not choose ours. */
    private static String fileName(String raw) {
        String n = raw.replace('\\', '/');
        return n.substring(n.lastIndexOf('/') + 1);
    }

    private static String group(Matcher m) {
        if (!m.find()) {
            return "";
        }
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    private static int skipLineBreak(byte[] b, int i) {
        if (i + 1 < b.length && b[i] == '\r' && b[i + 1] == '\n') {
            return i + 2;
        }
        return i;
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
