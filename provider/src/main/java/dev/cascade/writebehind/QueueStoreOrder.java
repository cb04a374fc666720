package dev.cascade.writebehind;

import java.util.Comparator;

/** Stream ids ({@code <ms>-<seq>}) in the order Redis assigned them. */
final class QueueStoreOrder {

  static final Comparator<String> BY_ID = (a, b) -> {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    int c = Long.compare(Long.parseLong(a.substring(0, da)), Long.parseLong(b.substring(0, db)));
    return c != 0 ? c : Long.compare(Long.parseLong(a.substring(da + 1)), Long.parseLong(b.substring(db + 1)));
  };

  private QueueStoreOrder() {
  }
}
