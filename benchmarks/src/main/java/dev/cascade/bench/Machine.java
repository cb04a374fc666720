package dev.cascade.bench;

import dev.cascade.testing.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What the numbers were measured on: printed with every report, because ratios travel but ops/s do
 * not.
 */
final class Machine {

  private Machine() {}

  static List<String> describe(RedisServer server) {
    List<String> lines = new ArrayList<>();
    lines.add("date:     " + ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
    lines.add(
        "machine:  "
            + Runtime.getRuntime().availableProcessors()
            + " cores ("
            + cpuModel()
            + "), "
            + memory()
            + " RAM, "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.version"));
    lines.add("load:     " + loadAverage() + " (1/5/15 min load average before the run)");
    lines.add(
        "JDK:      "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vm.vendor")
            + ")");
    lines.add(
        "Redis:    "
            + server.info("server").get("redis_version")
            + " ("
            + server.binary().path()
            + "), private, "
            + "no persistence, 127.0.0.1:"
            + server.port());
    lines.add(
        "clients:  Lettuce "
            + version("io.lettuce", "lettuce-core")
            + ", Redisson "
            + version("org.redisson", "redisson")
            + ", Netty "
            + version("io.netty", "netty-common")
            + ", JMH "
            + version("org.openjdk.jmh", "jmh-core"));
    return lines;
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " / " + parts[1] + " / " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }

  private static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kb = Long.parseLong(line.replaceAll("\\D", ""));
          return Math.round(kb / 1024.0 / 1024.0) + " GiB";
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "? GiB";
  }

  /** The version a dependency's jar recorded in the shaded jar, or "?" when run from classes. */
  private static String version(String group, String artifact) {
    String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = Machine.class.getResourceAsStream(resource)) {
      if (in == null) {
        return "?";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "?");
    } catch (IOException e) {
      return "?";
    }
  }
}
