package dev.cascade.bench;

/**
 * Counts the top-level RESP2/RESP3 values in a byte stream fed in arbitrary chunks: commands in the
 * client-to-server direction, replies in the other. Push messages ({@code >}, RESP3 pub/sub) and
 * attributes ({@code |}) are not replies and are not counted. Streamed aggregates ({@code *?}) are
 * not supported: Redis sends none to these clients.
 *
 * <p>Not thread-safe: one instance per direction of one connection.
 */
final class RespCounter {

  private enum State {
    TYPE,
    HEADER,
    BULK
  }

  private State state = State.TYPE;
  private byte type;
  private byte topType;
  private long number;
  private boolean negative;
  private long bulkLeft;
  private long[] remaining = new long[16];
  private int depth;

  /** Feeds a chunk; returns how many top-level values it completed. */
  int feed(byte[] buf, int off, int len) {
    int completed = 0;
    int end = off + len;
    int i = off;
    while (i < end) {
      switch (state) {
        case TYPE:
          type = buf[i++];
          if (depth == 0) {
            topType = type;
          }
          number = 0;
          negative = false;
          state = State.HEADER;
          break;
        case HEADER:
          byte b = buf[i++];
          if (b == '\n') {
            completed += headerDone();
          } else if (b == '-') {
            negative = true;
          } else if (b >= '0' && b <= '9') {
            number = number * 10 + (b - '0');
          }
          break;
        default: // BULK: the payload and its CRLF
          long skip = Math.min(bulkLeft, end - i);
          i += (int) skip;
          bulkLeft -= skip;
          if (bulkLeft == 0) {
            state = State.TYPE;
            completed += valueDone();
          }
          break;
      }
    }
    return completed;
  }

  private int headerDone() {
    long n = negative ? -number : number;
    state = State.TYPE;
    switch (type) {
      case '$':
      case '=':
      case '!':
        if (n < 0) {
          return valueDone();
        }
        bulkLeft = n + 2;
        state = State.BULK;
        return 0;
      case '*':
      case '~':
      case '>':
        return aggregate(n);
      case '%':
      case '|':
        return aggregate(n < 0 ? n : 2 * n);
      default: // + - : _ , # ( and inline commands: the line is the value
        return valueDone();
    }
  }

  private int aggregate(long elements) {
    if (elements <= 0) {
      return valueDone();
    }
    if (depth == remaining.length) {
      remaining = java.util.Arrays.copyOf(remaining, depth * 2);
    }
    remaining[depth++] = elements;
    return 0;
  }

  /** A value ended: it fills a slot of the enclosing aggregate, which may end in turn. */
  private int valueDone() {
    while (depth > 0) {
      if (--remaining[depth - 1] > 0) {
        return 0;
      }
      depth--;
    }
    return topType == '>' || topType == '|' ? 0 : 1;
  }
}
