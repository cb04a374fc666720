package dev.cascade.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * The failure an application meets when Boot's dependency management gives Lettuce 7 Netty 4.1
 * (seen with Boot 3.5.7: this exact class is missing) is explained, and other failures are not.
 */
class NettyVersionFailureAnalyzerTest {

  @Test
  void nettyClassMissing_saysWhichNettyToUse() {
    FailureAnalysis analysis =
        new NettyVersionFailureAnalyzer()
            .analyze(
                new BeanCreationException(
                    "jCacheCacheManager",
                    "failed",
                    new NoClassDefFoundError("io/netty/channel/MultiThreadIoEventLoopGroup")));
    assertThat(analysis).isNotNull();
    assertThat(analysis.getDescription())
        .contains("io.netty.channel.MultiThreadIoEventLoopGroup", "Netty 4.2");
    assertThat(analysis.getAction()).contains("<netty.version>4.2.13.Final</netty.version>");
  }

  @Test
  void otherClassMissing_isLeftToOthers() {
    assertThat(
            new NettyVersionFailureAnalyzer()
                .analyze(
                    new BeanCreationException(
                        "x", "failed", new NoClassDefFoundError("com/acme/X"))))
        .isNull();
  }
}
