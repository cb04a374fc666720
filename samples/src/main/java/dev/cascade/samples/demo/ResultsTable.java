package dev.cascade.samples.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tutorial's comparison table (write-through vs write-behind), with each claim replaced by the
 * number this run measured. Rows are shared by the console (a Markdown table, so it pastes into
 * docs) and the HTML report.
 */
final class ResultsTable {

  private ResultsTable() {}

  /** Rows of {feature, write-through, write-behind}, the header first. */
  static List<String[]> rows(Results r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {"Feature (measured)", "Write-Through: prices", "Write-Behind: view counts"});
    rows.add(
        new String[] {
          "Cache writes",
          count(r.priceUpdates()) + " price updates",
          count(r.views()) + " view increments"
        });
    rows.add(
        new String[] {
          "Write latency p50",
          ms(Results.millis(r.writeThrough(), 50)),
          ms(Results.millis(r.writeBehind(), 50))
        });
    rows.add(
        new String[] {
          "Write latency p99",
          ms(Results.millis(r.writeThrough(), 99)),
          ms(Results.millis(r.writeBehind(), 99))
        });
    rows.add(
        new String[] {
          "Write latency max",
          ms(Results.millis(r.writeThrough(), 100)),
          ms(Results.millis(r.writeBehind(), 100))
        });
    rows.add(
        new String[] {
          "Database statements",
          count(r.priceStatements()) + " (" + perWrite(r.priceStatements(), r.priceUpdates()) + ")",
          count(r.viewStatements()) + " (" + perWrite(r.viewStatements(), r.views()) + ")"
        });
    rows.add(
        new String[] {
          "Rows written",
          count(r.priceRows()),
          count(r.viewRows())
              + " ("
              + percent(r.viewsCoalesced(), r.views())
              + " of writes coalesced)"
        });
    rows.add(
        new String[] {
          "Queue depth max / mean (every 250 ms)",
          "no queue",
          count(r.maxQueueDepth()) + " / " + count(Math.round(r.meanQueueDepth()))
        });
    rows.add(
        new String[] {
          "Database == cache",
          "when each call returns",
          r.drainSeconds() < 0
              ? "NOT within the drain timeout"
              : String.format(Locale.ROOT, "%.2f s after the load stopped", r.drainSeconds())
        });
    rows.add(
        new String[] {
          "Mismatching rows (final check)",
          r.prices().mismatching() + " of " + count(r.prices().compared()),
          r.viewCounts().mismatching() + " of " + count(r.viewCounts().compared())
        });
    return rows;
  }

  /** A Markdown table with padded columns. */
  static String markdown(List<String[]> rows) {
    int[] width = new int[3];
    for (String[] row : rows) {
      for (int i = 0; i < 3; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < rows.size(); r++) {
      out.append('|');
      for (int i = 0; i < 3; i++) {
        out.append(' ').append(pad(rows.get(r)[i], width[i])).append(" |");
      }
      out.append('\n');
      if (r == 0) {
        out.append('|');
        for (int i = 0; i < 3; i++) {
          out.append('-').append("-".repeat(width[i])).append("-|");
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length());
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String ms(double millis) {
    if (Double.isNaN(millis)) {
      return "n/a";
    }
    return millis < 1
        ? String.format(Locale.ROOT, "%.3f ms", millis)
        : millis < 100
            ? String.format(Locale.ROOT, "%.2f ms", millis)
            : String.format(Locale.ROOT, "%.0f ms", millis);
  }

  /** "1.00 per cache write" or "1 per 404 cache writes". */
  static String perWrite(long statements, long writes) {
    if (writes == 0) {
      return "no writes";
    }
    if (statements == 0) {
      return "none yet";
    }
    double ratio = (double) statements / writes;
    return ratio >= 0.5
        ? String.format(Locale.ROOT, "%.2f per cache write", ratio)
        : String.format(Locale.ROOT, "1 per %,.0f cache writes", 1 / ratio);
  }

  static String percent(long part, long whole) {
    return whole == 0 ? "0%" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }
}
