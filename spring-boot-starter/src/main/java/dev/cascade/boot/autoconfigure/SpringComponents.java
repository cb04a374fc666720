package dev.cascade.boot.autoconfigure;

import dev.cascade.writebehind.RevisionedCacheWriter;
import java.util.Collection;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Turns {@code cascade.caches.<name>.loader} or {@code .writer} (a bean name, else a class name)
 * into the JCache factory the cache's configuration takes, respecting who owns what it makes.
 *
 * <ul>
 *   <li>A <b>bean</b> (a singleton) is Spring's: it may serve several caches, and Spring closes it
 *       with the context. A cache closes the loader and writer its factory made when they are
 *       {@code Closeable} (JSR-107), so the factory hands out a view of the bean without {@code
 *       close()}: before, the first of two caches to close closed the bean under the other.
 *   <li>A <b>class</b>, or a <b>prototype bean</b>, gets a new instance per cache opened, made by
 *       Spring, which the cache owns and closes (Spring never closes a prototype): a cache closed
 *       and opened again ({@code getCache}) gets a fresh one, not the one its first handle closed.
 * </ul>
 */
final class SpringComponents {

  private SpringComponents() {}

  /**
   * The factory of {@code value}: a bean of that name, else a class of that name, either a {@code
   * type}; checked now, so a wrong name fails the start naming {@code key}.
   */
  @SuppressWarnings("unchecked") // type is the raw CacheLoader or CacheWriter of T
  static <T> Factory<T> factory(
      String key, String value, Class<? super T> type, ConfigurableListableBeanFactory beans) {
    String v = value.trim();
    if (beans.containsBean(v)) {
      if (beans.isPrototype(v)) {
        // Spring makes a new one per getBean and never closes it: each cache owns its own
        Class<?> made = beans.getType(v);
        if (made != null && !type.isAssignableFrom(made)) {
          throw notA(key, v, made, type);
        }
        return new PrototypeFactory<>(v, beans);
      }
      Object bean = beans.getBean(v);
      if (!type.isInstance(bean)) {
        throw notA(key, v, bean.getClass(), type);
      }
      return new BeanFactory<>((T) shared(bean, type), "bean '" + v + "'");
    }
    Class<?> cls;
    try {
      cls = ClassUtils.forName(v, beans.getBeanClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          key + ": there is no bean named '" + v + "' and no class of that name", e);
    }
    if (!type.isAssignableFrom(cls)) {
      throw new IllegalStateException(
          key + ": class " + cls.getName() + " is not a " + type.getName());
    }
    return new ClassFactory<>(cls, beans);
  }

  private static IllegalStateException notA(
      String key, String name, Class<?> actual, Class<?> type) {
    return new IllegalStateException(
        key + ": bean '" + name + "' is a " + actual.getName() + ", not a " + type.getName());
  }

  /**
   * The bean itself when a cache cannot close it, else a view of it as a {@code type} (one bean may
   * be both loader and writer) without {@code close()}. Cascade's own writers (a write-behind
   * writer made into a bean) stay as they are: the cache recognizes them by their class.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object shared(Object bean, Class<?> type) {
    if (!(bean instanceof AutoCloseable)
        || bean.getClass().getName().startsWith("dev.cascade.internal.")) {
      return bean;
    }
    if (type == CacheLoader.class) {
      return new SharedLoader((CacheLoader) bean);
    }
    if (bean instanceof RevisionedCacheWriter) {
      return new SharedRevisionedWriter((RevisionedCacheWriter) bean);
    }
    return new SharedWriter((CacheWriter) bean);
  }

  /**
   * Hands out one object. JCache factories are {@code Serializable}; this one is not meant to
   * travel (Cascade never serializes a configuration), hence the transient field.
   */
  private static final class BeanFactory<T> implements Factory<T> {
    private static final long serialVersionUID = 1L;
    private final transient T instance;
    private final String shown;

    BeanFactory(T instance, String shown) {
      this.instance = instance;
      this.shown = shown;
    }

    @Override
    public T create() {
      return instance;
    }

    @Override
    public String toString() {
      return shown;
    }
  }

  /** A new instance of a prototype bean for each cache opened, which that cache owns. */
  private static final class PrototypeFactory<T> implements Factory<T> {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final transient ConfigurableListableBeanFactory beans;

    PrototypeFactory(String name, ConfigurableListableBeanFactory beans) {
      this.name = name;
      this.beans = beans;
    }

    @Override
    @SuppressWarnings("unchecked") // its type was checked when it was named
    public T create() {
      return (T) beans.getBean(name);
    }

    @Override
    public String toString() {
      return "a new prototype bean '" + name + "' per cache";
    }
  }

  /** Has Spring create and autowire a new instance of a class for each cache opened. */
  private static final class ClassFactory<T> implements Factory<T> {
    private static final long serialVersionUID = 1L;
    private final Class<?> cls;
    private final transient ConfigurableListableBeanFactory beans;

    ClassFactory(Class<?> cls, ConfigurableListableBeanFactory beans) {
      this.cls = cls;
      this.beans = beans;
    }

    @Override
    @SuppressWarnings("unchecked") // checked to be a CacheLoader or CacheWriter when it was named
    public T create() {
      return (T) beans.createBean(cls);
    }

    @Override
    public String toString() {
      return "a new " + cls.getName() + " per cache";
    }
  }

  /** A loader bean without its {@code close()}. */
  private static class SharedLoader<K, V> implements CacheLoader<K, V> {
    private final CacheLoader<K, V> bean;

    SharedLoader(CacheLoader<K, V> bean) {
      this.bean = bean;
    }

    @Override
    public V load(K key) {
      return bean.load(key);
    }

    @Override
    public Map<K, V> loadAll(Iterable<? extends K> keys) {
      return bean.loadAll(keys);
    }

    @Override
    public String toString() {
      return bean.toString();
    }
  }

  /** A writer bean without its {@code close()}. */
  private static class SharedWriter<K, V> implements CacheWriter<K, V> {
    final CacheWriter<K, V> bean;

    SharedWriter(CacheWriter<K, V> bean) {
      this.bean = bean;
    }

    @Override
    public void write(Cache.Entry<? extends K, ? extends V> entry) {
      bean.write(entry);
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends K, ? extends V>> entries) {
      bean.writeAll(entries);
    }

    @Override
    public void delete(Object key) {
      bean.delete(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      bean.deleteAll(keys);
    }

    @Override
    public String toString() {
      return bean.toString();
    }
  }

  /** A revisioned writer bean without its {@code close()}: its revisions still reach it. */
  private static final class SharedRevisionedWriter<K, V> extends SharedWriter<K, V>
      implements RevisionedCacheWriter<K, V> {

    SharedRevisionedWriter(RevisionedCacheWriter<K, V> bean) {
      super(bean);
    }

    @Override
    public void writeAll(
        Collection<Cache.Entry<? extends K, ? extends V>> entries, Revisions revisions) {
      ((RevisionedCacheWriter<K, V>) bean).writeAll(entries, revisions);
    }

    @Override
    public void deleteAll(Collection<?> keys, Revisions revisions) {
      ((RevisionedCacheWriter<K, V>) bean).deleteAll(keys, revisions);
    }
  }
}
