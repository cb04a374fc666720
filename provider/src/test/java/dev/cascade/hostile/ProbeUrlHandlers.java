package dev.cascade.hostile;

import java.net.InetAddress;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.net.spi.URLStreamHandlerProvider;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The URL scheme {@value #PROTOCOL}, whose handler counts host lookups instead of asking DNS. The
 * URLDNS probe works through {@code URL.hashCode}, which asks the URL's handler to resolve the host
 * ({@code URLStreamHandler.getHostAddress}); with an {@code http} URL that is a DNS query the
 * attacker sees, with this one a count the test sees. Registered in {@code
 * META-INF/services/java.net.spi.URLStreamHandlerProvider} (test resources).
 */
public final class ProbeUrlHandlers extends URLStreamHandlerProvider {

  public static final String PROTOCOL = "cascadeprobe";

  /** Host lookups asked of this handler. */
  public static final AtomicInteger LOOKUPS = new AtomicInteger();

  @Override
  public URLStreamHandler createURLStreamHandler(String protocol) {
    if (!PROTOCOL.equals(protocol)) {
      return null;
    }
    return new URLStreamHandler() {
      @Override
      protected URLConnection openConnection(URL u) {
        throw new UnsupportedOperationException("a probe URL is never opened");
      }

      @Override
      protected synchronized InetAddress getHostAddress(URL u) {
        LOOKUPS.incrementAndGet();
        return null;
      }
    };
  }
}
