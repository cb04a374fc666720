package dev.cascade.cli;

import dev.cascade.CascadeAdmin;

/** How a key or value is printed in tables: its text, or its bytes with a short reason. */
final class Shown {

  private Shown() {}

  static String of(CascadeAdmin.Shown shown) {
    if (shown == null) {
      return "-";
    }
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
}
