package dev.cascade.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code redis-server} executable that fixtures start, and its version.
 *
 * <p>Resolution order:
 *
 * <ol>
 *   <li>system property {@code cascade.redis.server}, else environment variable {@code
 *       CASCADE_REDIS_SERVER}: a path to an executable, or {@code embedded};
 *   <li>{@code redis-server} on the {@code PATH};
 *   <li>the binary shipped inside the {@code com.github.codemonstur:embedded-redis} jar (Redis
 *       6.2), extracted once per JVM to a temporary file that is deleted at exit.
 * </ol>
 *
 * {@code embedded} forces the last one, so the same tests can run against Redis 7 and Redis 6.2:
 * {@code mvn verify -Dcascade.redis.server=embedded}.
 *
 * <p>Immutable and thread-safe; resolution and extraction are cached per JVM.
 */
public final class RedisBinary {

  public static final String PROPERTY = "cascade.redis.server";
  public static final String ENVIRONMENT = "CASCADE_REDIS_SERVER";
  public static final String EMBEDDED = "embedded";

  private static final Pattern VERSION = Pattern.compile("\\bv=(\\d+\\.\\d+\\.\\d+)");
  private static final Map<Path, String> VERSIONS = new ConcurrentHashMap<>();
  private static volatile Path extracted;

  private final Path path;
  private final String version;

  private RedisBinary(Path path) {
    this.path = path;
    this.version = VERSIONS.computeIfAbsent(path, RedisBinary::askVersion);
  }

  /** Resolves the binary as described in the class comment. */
  public static RedisBinary resolve() {
    String configured = System.getProperty(PROPERTY);
    String source = "system property " + PROPERTY;
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(ENVIRONMENT);
      source = "environment variable " + ENVIRONMENT;
    }
    if (configured != null && !configured.isBlank()) {
      if (configured.trim().equalsIgnoreCase(EMBEDDED)) {
        return new RedisBinary(embedded());
      }
      Path path = Path.of(configured.trim());
      if (!Files.isExecutable(path)) {
        throw new FixtureException(source + " names " + path + ", which is not an executable file");
      }
      return new RedisBinary(path);
    }
    Path onPath = findOnPath("redis-server");
    return new RedisBinary(onPath != null ? onPath : embedded());
  }

  /** Absolute path of the executable. */
  public Path path() {
    return path;
  }

  /** The version that {@code redis-server --version} reports, such as {@code 7.0.15}. */
  public String version() {
    return version;
  }

  /** The major version number, such as 7; handy for tests of version-specific commands. */
  public int majorVersion() {
    return Integer.parseInt(version.substring(0, version.indexOf('.')));
  }

  @Override
  public String toString() {
    return path + " (Redis " + version + ")";
  }

  private static Path findOnPath(String name) {
    String pathVariable = Objects.requireNonNullElse(System.getenv("PATH"), "");
    for (String dir : pathVariable.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate.toAbsolutePath();
        }
      }
    }
    return null;
  }

  private static synchronized Path embedded() {
    if (extracted == null) {
      String resource = embeddedResourceName();
      try (InputStream in = RedisBinary.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new FixtureException(
              "no redis-server on the PATH and the class-path resource "
                  + resource
                  + " is missing: add com.github.codemonstur:embedded-redis to the test class path,"
                  + " install redis-server, or set "
                  + PROPERTY
                  + " to a redis-server binary");
        }
        Path file = Files.createTempFile("cascade-" + resource + "-", "");
        file.toFile().deleteOnExit();
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        if (!file.toFile().setExecutable(true, true)) {
          throw new FixtureException("cannot make " + file + " executable");
        }
        extracted = file;
      } catch (IOException e) {
        throw new FixtureException(
            "cannot extract " + resource + " from the embedded-redis jar", e);
      }
    }
    return extracted;
  }

  /** Names of the binaries inside embedded-redis 1.4.3. */
  static String embeddedResourceName() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    boolean arm = arch.equals("aarch64") || arch.equals("arm64");
    boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
    if (os.contains("linux") && x64) {
      return "redis-server-6.2.6-v5-linux-amd64";
    }
    if (os.contains("linux") && arm) {
      return "redis-server-6.2.7-linux-arm64";
    }
    if (os.contains("mac") && x64) {
      return "redis-server-6.2.6-v5-darwin-amd64";
    }
    if (os.contains("mac") && arm) {
      return "redis-server-6.2.6-v5-darwin-arm64";
    }
    throw new FixtureException(
        "embedded-redis ships no redis-server for "
            + os
            + "/"
            + arch
            + ": install redis-server or set "
            + PROPERTY);
  }

  private static String askVersion(Path path) {
    Path output = null;
    try {
      // output goes to a file, not a pipe: reading a pipe could block past any deadline
      output = Files.createTempFile("cascade-redis-version-", ".txt");
      Process p =
          new ProcessBuilder(path.toString(), "--version")
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new FixtureException(path + " --version did not exit within 10 s");
      }
      String text = Files.readString(output).trim();
      Matcher m = VERSION.matcher(text);
      if (!m.find()) {
        throw new FixtureException(path + " --version printed no version: " + text);
      }
      return m.group(1);
    } catch (IOException e) {
      throw new FixtureException("cannot run " + path + " --version", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FixtureException("interrupted while running " + path + " --version", e);
    } finally {
      if (output != null) {
        output.toFile().delete();
      }
    }
  }
}
