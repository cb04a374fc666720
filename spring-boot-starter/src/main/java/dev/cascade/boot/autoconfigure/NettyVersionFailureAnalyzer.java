package dev.cascade.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains the start-up failure of an application whose build lets Spring Boot 3's dependency
 * management take Netty back to 4.1: Lettuce 7, under Cascade, is built on Netty 4.2, and fails
 * with {@code NoClassDefFoundError: io/netty/channel/MultiThreadIoEventLoopGroup} (measured with
 * Boot 3.5.7's Netty 4.1.128).
 */
class NettyVersionFailureAnalyzer extends AbstractFailureAnalyzer<NoClassDefFoundError> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, NoClassDefFoundError cause) {
    String missing = String.valueOf(cause.getMessage());
    if (!missing.startsWith("io/netty/") && !missing.startsWith("io.netty.")) {
      return null;
    }
    return new FailureAnalysis(
        "Netty class "
            + missing.replace('/', '.')
            + " is missing: Cascade runs on Lettuce 7, which needs Netty 4.2, but the class path"
            + " holds an older Netty (Spring Boot 3's dependency management picks Netty 4.1).",
        "Use Netty 4.2: with spring-boot-starter-parent set the property <netty.version>"
            + "4.2.13.Final</netty.version>; with the spring-boot-dependencies BOM, import"
            + " io.netty:netty-bom:4.2.13.Final before it (Gradle: ext['netty.version'] ="
            + " '4.2.13.Final'). See docs/spring-boot.md.",
        cause);
  }
}
