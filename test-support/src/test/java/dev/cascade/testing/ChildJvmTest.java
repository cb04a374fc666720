package dev.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChildJvmTest {

  @Test
  void start_propertiesAndArgs_reachChild_killEndsIt() {
    try (ChildJvm child =
        ChildJvm.builder(ChildJvmMain.class)
            .systemProperty("greeting", "hello world")
            .args("a", "b")
            .start()) {
      String line = child.awaitOutputLine("child ready", Duration.ofSeconds(30));
      assertEquals("child ready: greeting=hello world args=a,b", line);
      assertTrue(child.isAlive());

      child.kill();

      assertFalse(child.isAlive());
      assertEquals(137, child.exitCode(), "128 + SIGKILL");
      assertTrue(child.outputTail(5).contains("child ready"));
    }
  }

  @Test
  void waitFor_childExitsByItself_reportsExitCode() {
    try (ChildJvm child = ChildJvm.builder(ChildJvmMain.class).args("exit", "3").start()) {
      assertTrue(child.waitFor(Duration.ofSeconds(30)));
      assertEquals(3, child.exitCode());
    }
  }

  @Test
  void awaitOutputLine_childExitsFirst_failsFastWithOutput() {
    try (ChildJvm child = ChildJvm.builder(ChildJvmMain.class).args("exit", "0").start()) {
      FixtureException e =
          assertThrows(
              FixtureException.class,
              () -> child.awaitOutputLine("never printed", Duration.ofSeconds(30)));
      assertTrue(e.getMessage().contains("exited with code 0"), e.getMessage());
      assertTrue(e.getMessage().contains("child ready"), e.getMessage());
    }
  }
}
