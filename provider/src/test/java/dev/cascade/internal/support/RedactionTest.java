package dev.cascade.internal.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How a URI that may carry a password is shown: no server needed. */
class RedactionTest {

  private static String display(String uri) {
    return Redaction.uri(uri);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "redis://127.0.0.1:6379",
        "redis://127.0.0.1:6379/2?timeout=5s&clientName=app",
        "rediss://cache.example.com:6380",
        "redis-cluster://h1:7000,h2:7001,h3:7002?timeout=3s",
        "redis-sentinel://h1:26379,h2:26380/0#mymaster",
        "redis-socket:///var/run/redis.sock?database=1",
        "file:/etc/cascade/cascade.yaml",
        "classpath:cascade.properties",
      })
  void display_noCredentials_isTheUriUnchanged(String uri) {
    // the TCK names MBeans after the plain URI: it must stay exactly as given
    assertEquals(uri, display(uri));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // password only, with and without the leading colon (Lettuce reads a userinfo without ':'
        // as a password)
        "redis://:s3cret@host:6379                       | redis://***@host:6379",
        "redis://s3cret@host:6379                        | redis://***@host:6379",
        // user and password: the user stays, it is what tells two ACL users apart
        "redis://alice:s3cret@host:6379/1                | redis://alice:***@host:6379/1",
        "rediss://alice:s3cret@host:6380?timeout=2s      | rediss://alice:***@host:6380?timeout=2s",
        // characters that have a meaning in a URI, raw (with a raw '@' Lettuce takes the password
        // but loses the port)
        // and percent-encoded
        "redis://alice:p@ss@w0rd@host:6379               | redis://alice:***@host:6379",
        "redis://:p@ss@w0rd@host:6379                    | redis://***@host:6379",
        "redis://alice:pa/ss@host:6379/0                 | redis://alice:***@host:6379/0",
        "redis://:pa/ss@host:6379                        | redis://***@host:6379",
        "redis://alice:pa:ss:wd@host                     | redis://alice:***@host",
        "redis://alice:pa?ss#wd@host:6379                | redis://alice:***@host:6379",
        "redis://alice:p%40ss%2Fw%3Ard%25@host:6379      | redis://alice:***@host:6379",
        "redis://:50%off@host:6379                       | redis://***@host:6379",
        "redis://%61lice:s3cret@host                     | redis://%61lice:***@host",
        // several hosts
        "redis-sentinel://:s3cret@h1:26379,h2:26380,h3:26381/0#mymaster | redis-sentinel://***@h1:26379,h2:26380,h3:26381/0#mymaster",
        "redis-sentinel://alice:s3/cr@t@h1:26379,h2:26380#mymaster      | redis-sentinel://alice:***@h1:26379,h2:26380#mymaster",
        "redis-cluster://alice:s3/cr@t@h1:7000,h2:7001?timeout=2s        | redis-cluster://alice:***@h1:7000,h2:7001?timeout=2s",
        "rediss-cluster://:s3cret@h1:7000,h2:7001                        | rediss-cluster://***@h1:7000,h2:7001",
        // what looks like a user but cannot be one is part of the secret
        "redis://pw/with:colon@host                      | redis://***@host",
        "redis://a@b:s3cret@host                         | redis://***@host",
        // a URI inside another one (a configuration file fetched over HTTP)
        "jar:http://alice:s3cret@repo/app.jar!/cascade.yaml | jar:http://alice:***@repo/app.jar!/cascade.yaml",
      })
  void display_credentialsInUserinfo_hidesThePassword(String uri, String expected) {
    assertEquals(expected, display(uri));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "redis://host:6379?password=s3cret&timeout=2s            | redis://host:6379?password=***&timeout=2s",
        "redis://host:6379/0?timeout=2s;Password=s3cret          | redis://host:6379/0?timeout=2s;Password=***",
        "redis-socket:///tmp/redis.sock?pass=s3cret              | redis-socket:///tmp/redis.sock?pass=***",
        "redis://host?auth=a1&token=b2&clientName=app&pwd=c3#m   | redis://host?auth=***&token=***&clientName=app&pwd=***#m",
        "redis://alice:s3cret@host?secret=x%40y                  | redis://alice:***@host?secret=***",
      })
  void display_passwordInQuery_hidesItsValue(String uri, String expected) {
    // Lettuce ignores such parameters, but a user who wrote one meant it as a secret
    assertEquals(expected, display(uri));
  }

  @Test
  void display_atSignInQuery_hidesUpToIt_ratherThanGuessWhereAPasswordEnds() {
    // a raw '?' or '#' may be part of a password as well as start the query: when in doubt, hide
    // (here "host" reads as a user name and "6379?clientName=me" as its password)
    assertEquals("redis://host:***@x", display("redis://host:6379?clientName=me@x"));
    assertEquals("redis://***@x", display("redis://h?clientName=me@x"));
  }

  @Test
  void display_notAUri_stillHidesWhatPrecedesAnAtSign() {
    assertEquals("***@host:6379", display("s3cret@host:6379"));
    assertEquals("null", display(null));
  }

  @Test
  void display_ofADisplay_isTheSame() {
    for (String uri :
        List.of(
            "redis://:s3cret@host:6379",
            "redis://alice:p@ss@host",
            "redis://h?password=x",
            "redis-cluster://alice:s3/cr@t@h1:7000,h2:7001")) {
      assertEquals(display(uri), display(display(uri)), uri);
    }
  }

  @Test
  void message_quotingTheUriOrThePassword_showsNeither() {
    String uri = "redis://alice:p%40ss%2Fw0rd@host:6379";
    assertEquals(
        "Illegal character at index 9: redis://alice:***@host:6379",
        Redaction.message("Illegal character at index 9: " + uri, uri));
    // decoded, as a parser reports the userinfo it read
    assertEquals(
        "bad user alice with ***", Redaction.message("bad user alice with p@ss/w0rd", uri));
    assertEquals(
        "raw p%40ss%2Fw0rd", Redaction.message("raw p%40ss%2Fw0rd", "redis://x")); // not this URI's
  }

  @Test
  void message_unparseablePassword_isMaskedWhereverItIsQuoted() {
    String uri = "redis://:zq7Kx@Wv9Jt/Pm4Rb:Hy2Nc%Lf8Ds@127.0.0.1:6379";
    String shown =
        Redaction.message(
            "Malformed escape pair at index 32: " + uri + " (zq7Kx@Wv9Jt/Pm4Rb:Hy2Nc%Lf8Ds)", uri);
    assertEquals("Malformed escape pair at index 32: redis://***@127.0.0.1:6379 (***)", shown);
  }

  @Test
  void failure_keepsClassNamesAndStackTraces_withoutTheUri() {
    String uri = "redis://:s3cret@host:6379?password=t0ken";
    IllegalArgumentException original =
        new IllegalArgumentException(
            "cannot parse " + uri, new java.net.URISyntaxException(uri, "Illegal character"));
    RuntimeException shown = Redaction.failure(original, uri);
    java.io.StringWriter trace = new java.io.StringWriter();
    shown.printStackTrace(new java.io.PrintWriter(trace));
    assertFalse(trace.toString().contains("s3cret"), trace.toString());
    assertFalse(trace.toString().contains("t0ken"), trace.toString());
    assertEquals(
        "java.lang.IllegalArgumentException: cannot parse redis://***@host:6379?password=***",
        shown.toString());
    assertEquals(
        "java.net.URISyntaxException: Illegal character: redis://***@host:6379?password=***",
        shown.getCause().toString());
    assertEquals(original.getStackTrace()[0], shown.getStackTrace()[0]);
  }
}
