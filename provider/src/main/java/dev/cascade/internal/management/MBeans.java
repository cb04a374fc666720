package dev.cascade.internal.management;

import dev.cascade.internal.support.Redaction;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
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

  /**
   * Who registered each name last: managers of the same URI (one per Spring context, with {@code
   * cascade.instance}) name their caches' MBeans alike, and the last to register wins; a close must
   * then take away its own registration only, never the one that replaced it.
   */
  private static final Map<ObjectName, Object> OWNERS = new HashMap<>();

  /** Registers {@code bean} under {@code name} for {@code owner}, replacing any earlier one. */
  public static synchronized void register(Object bean, ObjectName name, Object owner) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
      server.registerMBean(bean, name);
      OWNERS.put(name, owner);
    } catch (InstanceAlreadyExistsException | InstanceNotFoundException e) {
      // registered meanwhile outside this class; the bean is registered
      OWNERS.put(name, owner);
    } catch (Exception e) {
      throw new CacheException("Cannot register MBean " + name, e);
    }
  }

  /** Unregisters {@code name} if {@code owner} registered what is there now. */
  public static synchronized void unregister(ObjectName name, Object owner) {
    if (!OWNERS.remove(name, owner)) {
      return; // another owner's registration replaced it, or none is left
    }
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
