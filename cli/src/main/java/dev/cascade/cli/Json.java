package dev.cascade.cli;

import dev.cascade.CascadeAdmin.Shown;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;

/**
 * Writes the records {@code CascadeAdmin} returns as JSON (their components as fields), for {@code
 * --json}: a key or value is {@code {"text", "hex", "decoded", "problem"}}.
 */
final class Json {

  private Json() {}

  static String of(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value);
    return out.toString();
  }

  private static void write(StringBuilder out, Object v) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof Shown s) {
      out.append("{\"text\":");
      string(out, s.text());
      out.append(",\"hex\":");
      string(out, HexFormat.of().formatHex(s.bytes()));
      out.append(",\"decoded\":").append(s.isDecoded());
      out.append(",\"problem\":");
      write(out, s.problem());
      out.append('}');
    } else if (v instanceof Number || v instanceof Boolean) {
      out.append(v);
    } else if (v instanceof CharSequence || v instanceof Enum<?>) {
      string(out, v.toString());
    } else if (v instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(out, String.valueOf(e.getKey()));
        out.append(':');
        write(out, e.getValue());
      }
      out.append('}');
    } else if (v instanceof Collection<?> c) {
      out.append('[');
      boolean first = true;
      for (Object o : c) {
        if (!first) {
          out.append(',');
        }
        first = false;
        write(out, o);
      }
      out.append(']');
    } else if (v instanceof Record r) {
      out.append('{');
      boolean first = true;
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(out, c.getName());
        out.append(':');
        try {
          write(out, c.getAccessor().invoke(r));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      out.append('}');
    } else {
      string(out, v.toString());
    }
  }

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
