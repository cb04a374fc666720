package dev.cascade.internal.admin;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecProvider;
import dev.cascade.internal.codec.CacheCodecContext;
import dev.cascade.internal.codec.CodecProviders;
import dev.cascade.internal.codec.SerializationFilter;
import dev.cascade.internal.codec.ValueTags;
import dev.cascade.internal.config.ManagerSettings;
import java.util.Map;

/**
 * The codecs of a cache not opened here, as its registry entry names them: the recorded codec
 * provider (looked up as a CacheManager would: built-in, {@code META-INF/services}, class name),
 * the recorded types, and this JVM's allow-list for the cache. The types count as read from Redis
 * ({@code typesFromRedis}): they never widen the allow-list, and the json codec does not bind to
 * them, so such values are shown as text, not decoded.
 */
public final class RecordedCodecs implements ViewCodecs.Source {

  private final ManagerSettings settings;
  private final ClassLoader loader;

  public RecordedCodecs(ManagerSettings settings, ClassLoader loader) {
    this.settings = settings;
    this.loader = loader;
  }

  @Override
  public ViewCodecs codecsFor(String cacheName, Map<String, String> record) {
    String codecName = record.getOrDefault("codec", CodecProviders.DEFAULT);
    CodecProvider provider;
    try {
      provider =
          CodecProviders.named(codecName, loader, cacheName, "the cache's registry entry in Redis");
    } catch (RuntimeException e) {
      Codec<Object> none = ViewCodecs.failing(String.valueOf(e.getMessage()));
      return new ViewCodecs(none, none, codecName);
    }
    // as CacheSettings does for a cache joined with getCache(name): the recorded types widen
    // nothing;
    // with a secret (cascade.codec.hmac-key), a value whose tag verifies may hold any class
    boolean strict = settings.strict(cacheName);
    SerializationFilter filter = filterFor(settings, cacheName);
    ValueTags tags = settings.valueTags();
    CacheCodecContext context =
        new CacheCodecContext(
            cacheName,
            loader,
            filter,
            true,
            tags == null ? null : tags.forCache(cacheName),
            tags == null ? null : strict ? filter : filter.allowingAnyClass());
    return new ViewCodecs(
        codec(provider, record.get("keyType"), context, true),
        codec(provider, record.get("valueType"), context, false),
        codecName);
  }

  /**
   * What a cache not opened here may deserialize: the settings' allow-list and limits for it; the
   * types its registry entry names never widen it.
   */
  public static SerializationFilter filterFor(ManagerSettings settings, String cacheName) {
    return SerializationFilter.defaults(settings.strict(cacheName), settings.applicationPackages())
        .forCache(cacheName)
        .allowing(settings.allowList(cacheName))
        .withLimits(settings.serializationLimits(cacheName));
  }

  private Codec<?> codec(
      CodecProvider provider, String typeName, CacheCodecContext context, boolean key) {
    Class<?> type = typeNamed(typeName, provider);
    if (type == null) {
      return ViewCodecs.failing(
          "class " + typeName + " is not on this class path (codec " + provider.name() + ")");
    }
    try {
      return key ? provider.keyCodec(type, context) : provider.valueCodec(type, context);
    } catch (RuntimeException e) {
      return ViewCodecs.failing(String.valueOf(e.getMessage()));
    }
  }

  /**
   * The recorded type, loaded without initialising it; for the java codec any type it cannot load
   * reads as {@code Object} (its bytes carry their own tags), for other codecs null.
   */
  private Class<?> typeNamed(String typeName, CodecProvider provider) {
    if (typeName == null) {
      return Object.class;
    }
    try {
      return Class.forName(typeName, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return CodecProviders.DEFAULT.equals(provider.name()) ? Object.class : null;
    }
  }
}
