package dev.cascade.cli;

import dev.cascade.CascadeAdmin;

/** How a key or value is printed in tables: its text, or its bytes with a short reason. */
final class Shown {

  private Shown() {}

  static String of(CascadeAdmin.Shown shown) {
    return shown == null ? "-" : forTerminal(unescaped(shown));
  }

  private static String unescaped(CascadeAdmin.Shown shown) {
    if (shown.isDecoded()) {
      return shown.text();
    }
    String reason = shown.problem();
    // the codec's message goes on to say how an application allows the class; here it is --allow
    int end = reason.indexOf(". ");
    String first = end < 0 ? reason : reason.substring(0, end);
    String hint = reason.contains("allow-list") ? "; --allow with the class's jar decodes it" : "";
    return shown.text() + " (not decoded: " + first + hint + ")";
  }

  /**
   * The text with every control character written as an escape (a line break as backslash-n, ESC as
   * backslash-u001b): whoever can write to Redis chooses these bytes, and printed as they are, an
   * escape sequence would drive the operator's terminal (clear it, rewrite earlier lines, set its
   * title) and a line break could fake a line of output. Bidirectional overrides likewise, which
   * reorder what is shown.
   */
  static String forTerminal(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean unsafe =
          Character.isISOControl(c)
              || (c >= '\u202A' && c <= '\u202E')
              || (c >= '\u2066' && c <= '\u2069');
      if (unsafe && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (out != null) {
        if (!unsafe) {
          out.append(c);
        } else if (c == '\n') {
          out.append("\\n");
        } else if (c == '\r') {
          out.append("\\r");
        } else if (c == '\t') {
          out.append("\\t");
        } else {
          out.append(String.format("\\u%04x", (int) c));
        }
      }
    }
    return out == null ? text : out.toString();
  }
}
