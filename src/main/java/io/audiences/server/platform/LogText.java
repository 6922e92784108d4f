package io.audiences.server.platform;

/**
 * Text from requests made safe for a one-line log record: control characters (C0, DEL, C1) and the Unicode line
 * and paragraph separators are written as escapes ({@code \n}, {@code \r}, {@code \t}, {@code \u001b}, ...), and a
 * backslash as {@code \\}, so a path with {@code %0d%0a} cannot forge a log line and one with ESC cannot drive a
 * terminal, and the escaped text still reads back unambiguously.
 */
public final class LogText {

    private LogText() {
    }

    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        int i = 0;
        while (i < text.length() && !needsEscape(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (needsEscape(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\u2028' || c == '\u2029' || c == '\\';
    }
}
