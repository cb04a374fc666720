package dev.cascade.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Health details show a manager's URI without its password (no server needed). */
class CascadeHealthIndicatorRedactionTest {

  @Test
  void userAndPassword_passwordHidden() {
    assertThat(CascadeHealthIndicator.redacted("redis://app:s3cret@h:6379/2"))
        .isEqualTo("redis://app:***@h:6379/2");
  }

  @Test
  void passwordOnly_hidden() {
    assertThat(CascadeHealthIndicator.redacted("redis://s3cret@h:6379"))
        .isEqualTo("redis://***@h:6379");
    assertThat(CascadeHealthIndicator.redacted("redis-sentinel://:s3cret@a:1,b:2#m"))
        .isEqualTo("redis-sentinel://:***@a:1,b:2#m");
  }

  @Test
  void noCredentials_unchanged() {
    assertThat(CascadeHealthIndicator.redacted("redis://h:6379?timeout=2s"))
        .isEqualTo("redis://h:6379?timeout=2s");
    assertThat(CascadeHealthIndicator.redacted("file:/etc/app/cascade.yaml"))
        .isEqualTo("file:/etc/app/cascade.yaml");
  }
}
