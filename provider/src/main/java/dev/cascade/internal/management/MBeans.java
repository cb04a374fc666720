package dev.cascade.internal.management;

import dev.cascade.internal.support.Redaction;
import java.lang.management.ManagementFactory;
import javax.cache.CacheException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers Cascade's MXBeans on the platform MBean server under {@code
 * javax.cache:type=<type>,CacheManager=<name>,Cache=<cache>} (and {@code dev.cascade:type=...} for
 * Cascade's own beans), with {@code : = ,} and newlines in the values replaced by {@code .}.
 *
 * <p>{@code <name>} is the manager's {@code getURI()}, its {@link ManagerName}: it holds no
 * password and none of {@code , = ? *}, so the TCK's convention (replace {@code : = ,} and
 * newlines) and Micrometer's {@code JCacheMetrics} (replace {@code :} only) compute this same name
 * from it. Only a cache name holding one of {@code : = , ? * " \} or a newline makes the two differ
 * (Micrometer then refuses the name); such a value is replaced or quoted here as below.
 */
public final class MBeans {

  private MBeans() {}

  /**
   * @param managerUri the manager's name ({@link ManagerName}); were it a URI with a password, the
   *     password would be masked here all the same
   */
  public static ObjectName name(String domain, String type, String managerUri, String cacheName) {
    try {
      return new ObjectName(
          domain
              + ":type="
              + type
              + ",CacheManager="
              + safe(Redaction.uri(managerUri))
              + ",Cache="
              + safe(cacheName));
    } catch (MalformedObjectNameException e) {
      throw new CacheException("Cannot name the MBean of cache '" + cacheName + "'", e);
    }
  }

  /**
   * The JCache convention ({@code : = ,} and newlines become {@code .}); a value that still holds a
   * character an unquoted ObjectName value cannot ({@code ? * " \}), such as a URI with a query, is
   * quoted instead, so it cannot turn the name into a pattern.
   */
  static String safe(String s) {
    String v = s == null ? "" : s.replaceAll(":|=|\n|,", ".");
    return v.matches(".*[?*\"\\\\].*") ? ObjectName.quote(v) : v;
  }

  public static void register(Object bean, ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
      server.registerMBean(bean, name);
    } catch (InstanceAlreadyExistsException | InstanceNotFoundException e) {
      // another thread won the race; the bean is registered
    } catch (Exception e) {
      throw new CacheException("Cannot register MBean " + name, e);
    }
  }

  public static void unregister(ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (InstanceNotFoundException e) {
      // already gone
    } catch (Exception e) {
      throw new CacheException("Cannot unregister MBean " + name, e);
    }
  }
}
