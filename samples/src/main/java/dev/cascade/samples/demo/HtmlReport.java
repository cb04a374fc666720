package dev.cascade.samples.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Writes the run as one self-contained HTML file: the template ({@code report.html} next to this
 * class), the chart library inlined (ECharts from its webjar, so the file opens without a network),
 * and the run's numbers as one JSON object.
 */
final class HtmlReport {

  static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
  static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.9, 99.99, 100};

  /** Latency bucket upper bounds in ms: 1-2-5 steps, wide enough for Redis and a busy database. */
  static final double[] BUCKETS_MS = {
    0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, Double.MAX_VALUE
  };

  private HtmlReport() {}

  static void write(Results r, Path file) throws IOException {
    String html =
        resource(
                "report.html",
                HtmlReport.class.getClassLoader(),
                "dev/cascade/samples/demo/report.html")
            .replace(
                "/*ECHARTS*/",
                resource("echarts.min.js", HtmlReport.class.getClassLoader(), ECHARTS)
                    .replace("</script", "<\\/script"))
            .replace("/*DATA*/", json(r));
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, html, StandardCharsets.UTF_8);
  }

  private static String resource(String what, ClassLoader loader, String name) throws IOException {
    try (InputStream in = loader.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException(what + " is missing from the class path (" + name + ")");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static String json(Results r) {
    StringBuilder j = new StringBuilder("{\n");
    j.append("\"meta\": ")
        .append(
            str(
                String.format(
                    Locale.ROOT,
                    "%s load with %d threads over %d products (mix: %d%% price updates, %d%% views, %d%% page reads;"
                        + " latencies after a %s warm-up). Redis: %s. Database: %s.",
                    Durations.text(r.duration()),
                    r.threads(),
                    r.products(),
                    r.mix().priceUpdates(),
                    r.mix().views(),
                    r.mix().reads(),
                    Durations.text(r.warmup()),
                    r.redis(),
                    r.database())))
        .append(",\n");
    StringJoiner rows = new StringJoiner(",\n  ", "[\n  ", "\n]");
    for (String[] row : ResultsTable.rows(r)) {
      rows.add("[" + str(row[0]) + ", " + str(row[1]) + ", " + str(row[2]) + "]");
    }
    j.append("\"table\": ").append(rows).append(",\n");
    j.append("\"latency\": {\"percentiles\": ")
        .append(numbers(PERCENTILES))
        .append(", \"writeThrough\": ")
        .append(percentiles(r.writeThrough()))
        .append(", \"writeBehind\": ")
        .append(percentiles(r.writeBehind()))
        .append("},\n");
    j.append("\"histogram\": {\"buckets\": ")
        .append(bucketLabels())
        .append(", \"writeThrough\": ")
        .append(buckets(r.writeThrough()))
        .append(", \"writeBehind\": ")
        .append(buckets(r.writeBehind()))
        .append("},\n");
    j.append("\"timeline\": ").append(timeline(r.timeline())).append(",\n");
    j.append("\"loadStoppedAt\": ").append(num(r.loadStoppedAt())).append("\n}");
    return j.toString();
  }

  private static String percentiles(Histogram h) {
    double[] values = new double[PERCENTILES.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = Results.millis(h, PERCENTILES[i]);
    }
    return numbers(values);
  }

  private static String bucketLabels() {
    StringJoiner labels = new StringJoiner(", ", "[", "]");
    double low = 0;
    for (double high : BUCKETS_MS) {
      labels.add(
          str(high == Double.MAX_VALUE ? "> " + trim(low) + " ms" : "≤ " + trim(high) + " ms"));
      low = high;
    }
    return labels.toString();
  }

  /**
   * Share of writes per bucket, in %, from every recorded value (exact to the histogram's 3
   * digits).
   */
  private static String buckets(Histogram h) {
    double[] share = new double[BUCKETS_MS.length];
    long total = h.getTotalCount();
    if (total > 0) {
      for (HistogramIterationValue v : h.recordedValues()) {
        double ms = h.highestEquivalentValue(v.getValueIteratedTo()) / 1e6;
        int b = 0;
        while (ms > BUCKETS_MS[b]) {
          b++;
        }
        share[b] += 100.0 * v.getCountAtValueIteratedTo() / total;
      }
    }
    return numbers(share);
  }

  /**
   * Cumulative counters become rates per second between samples; the queue depth stays as sampled.
   */
  private static String timeline(List<Timeline.Sample> samples) {
    StringJoiner t = new StringJoiner(", ", "[", "]");
    StringJoiner queue = new StringJoiner(", ", "[", "]");
    StringJoiner viewWrites = new StringJoiner(", ", "[", "]");
    StringJoiner viewRows = new StringJoiner(", ", "[", "]");
    StringJoiner priceRows = new StringJoiner(", ", "[", "]");
    Timeline.Sample previous = null;
    for (Timeline.Sample s : samples) {
      t.add(num(s.seconds()));
      queue.add(s.queueDepth() < 0 ? "null" : Long.toString(s.queueDepth()));
      if (previous == null) {
        viewWrites.add("0");
        viewRows.add("0");
        priceRows.add("0");
      } else {
        double dt = Math.max(1e-3, s.seconds() - previous.seconds());
        viewWrites.add(num((s.views() - previous.views()) / dt));
        viewRows.add(num((s.viewRows() - previous.viewRows()) / dt));
        priceRows.add(num((s.priceRows() - previous.priceRows()) / dt));
      }
      previous = s;
    }
    return "{\"t\": "
        + t
        + ", \"queue\": "
        + queue
        + ", \"viewWrites\": "
        + viewWrites
        + ", \"viewRows\": "
        + viewRows
        + ", \"priceRows\": "
        + priceRows
        + "}";
  }

  private static String numbers(double[] values) {
    StringJoiner out = new StringJoiner(", ", "[", "]");
    for (double v : values) {
      out.add(num(v));
    }
    return out.toString();
  }

  private static String num(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** A JSON string; also safe inside a script element. */
  static String str(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '<' -> out.append("\\u003c");
        case '>' -> out.append("\\u003e");
        case '&' -> out.append("\\u0026");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
