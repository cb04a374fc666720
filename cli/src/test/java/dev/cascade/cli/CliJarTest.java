package dev.cascade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cascade.CascadeCachingProvider;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shaded jar as an operator runs it: {@code java -jar
 * cascade-cli-...-jar-with-dependencies.jar} in a child process, with nothing else on its class
 * path, the Redis from {@code CASCADE_REDIS_URI}. Runs in the {@code package} phase, after the
 * shade (the {@code jar-test} execution in cli/pom.xml sets {@code cascade.cli.jar}); skipped in
 * {@code test}, where the jar does not exist yet.
 */
@WithRedis
@Timeout(120)
class CliJarTest {

  @Test
  void javaDashJar_listsCaches_readsTheEnvironmentsUri_andExitsWithItsCodes(RedisServer redis)
      throws Exception {
    String jar = System.getProperty("cascade.cli.jar");
    assumeTrue(jar != null, "runs in the package phase (mvn -pl cli -am package)");
    assertTrue(new File(jar).isFile(), "no shaded jar at " + jar);
    String name = "clijar-" + UUID.randomUUID().toString().substring(0, 8);
    try (CacheManager manager =
        new CascadeCachingProvider()
            .getCacheManager(URI.create(redis.uri()), CliJarTest.class.getClassLoader())) {
      Cache<Long, String> cache =
          manager.createCache(
              name, new MutableConfiguration<Long, String>().setTypes(Long.class, String.class));
      cache.put(42L, "answer");

      Result caches = run(jar, redis.uri(), "caches");
      assertEquals(ExitCodes.OK, caches.code, caches.err);
      assertTrue(caches.out.contains(name), caches.out);
      assertTrue(caches.out.contains("java.lang.Long"), caches.out);

      Result inspect = run(jar, redis.uri(), "--json", "inspect", name, "42");
      assertEquals(ExitCodes.OK, inspect.code, inspect.err);
      assertTrue(inspect.out.contains("\"text\":\"answer\""), inspect.out);

      Result notWriteBehind = run(jar, redis.uri(), "dead-letters", name);
      assertEquals(ExitCodes.NOT_FOUND, notWriteBehind.code, notWriteBehind.err);
      assertTrue(notWriteBehind.err.contains("is not a write-behind cache"), notWriteBehind.err);
      assertFalse(notWriteBehind.err.contains("Exception"), notWriteBehind.err);
    }
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String jar, String uri, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar);
    command.addAll(List.of(args));
    Path out = Files.createTempFile("cascade-cli", ".out");
    Path err = Files.createTempFile("cascade-cli", ".err");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().put("CASCADE_REDIS_URI", uri);
      Process p = pb.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("cascade " + String.join(" ", args) + " did not end in 60 s");
      }
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      delete(out);
      delete(err);
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a temporary file; the OS cleans up
    }
  }
}
