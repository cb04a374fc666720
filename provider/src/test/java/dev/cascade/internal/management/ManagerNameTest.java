package dev.cascade.internal.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The name a manager URI gives {@code getURI()} and the MBeans. No server. */
class ManagerNameTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "redis://127.0.0.1:6379",
        "redis://127.0.0.1:6379/3",
        "rediss://redis.example.com:6380",
        "redis://[::1]:6379",
        "classpath:cascade.yaml",
        "file:/etc/app/cascade.properties",
        "jar:file:/app.jar!/cascade.yaml"
      })
  void of_uriFitToBeAName_isThatUri(String uri) {
    URI requested = URI.create(uri);
    assertSame(requested, ManagerName.of(requested));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "redis://alice:s3cret@host:6379/1                | redis://host:6379/1%3Fuser%3Dalice",
        "redis://:s3cret@host:6379                       | redis://host:6379",
        "redis://s3cret@host:6379                        | redis://host:6379",
        "redis://:p%40ss%2Fw0rd@host:6379                | redis://host:6379",
        "redis://host:6379?timeout=2s                    | redis://host:6379%3Ftimeout%3D2s",
        "redis://host:6379?password=s3cret&timeout=2s    | redis://host:6379%3Ftimeout%3D2s",
        "redis://host:6379?password=s3cret               | redis://host:6379",
        "rediss://alice:s3cret@host:6380/2?timeout=2s    | rediss://host:6380/2%3Ftimeout%3D2s&user%3Dalice",
        "redis-cluster://h1:7000,h2:7001,h3:7002         | redis-cluster://h1:7000%2Ch2:7001%2Ch3:7002",
        "redis-sentinel://:s3cret@h1:26379,h2:26380#main | redis-sentinel://h1:26379%2Ch2:26380#main",
        "redis-sentinel://h1:26379,h2:26380/0#main       | redis-sentinel://h1:26379%2Ch2:26380/0#main",
        "redis-sentinel://bob:s3cret@h1:26379,h2:26380#m | redis-sentinel://h1:26379%2Ch2:26380%3Fuser%3Dbob#m",
        "file:/etc/a*b.yaml                              | file:/etc/a%2Ab.yaml"
      })
  void of_uriWithSecretsOrJmxCharacters_isASafeUri(String uri, String expected) {
    URI name = ManagerName.of(URI.create(uri));
    assertEquals(expected, name.toString());
    assertFalse(name.toString().contains("s3cret"), name.toString());
    // a name is its own name: naming is idempotent
    assertEquals(name, ManagerName.of(name));
    assertTrue(ManagerName.isName(name.toString()));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "redis://host:6379?timeout=2s      | redis://host:6379?timeout=5s",
        "redis://host:6379?database=1      | redis://host:6379?database=2",
        "redis-cluster://h1:7000,h2:7001   | redis-cluster://h1:7000,h3:7001",
        "redis://alice:pw@host:6379        | redis://bob:pw@host:6379"
      })
  void of_urisThatDifferInMoreThanSecrets_differ(String a, String b) {
    assertNotEquals(ManagerName.of(URI.create(a)), ManagerName.of(URI.create(b)));
  }
}
