package dev.cascade.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.jdbc.JdbcCacheLoader;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration file as users write it, read without a server: declared caches, templates,
 * placeholders, the properties form, and every validation error with its file, line and key.
 */
class ConfigFileTest {

  private static final ClassLoader LOADER = ConfigFileTest.class.getClassLoader();
  private static final String LOADER_CLASS = ConfigFileTest.UpperLoader.class.getName();
  private static final String WRITER_CLASS = ConfigFileTest.NoWriter.class.getName();

  @TempDir Path dir;

  @AfterEach
  void clearProperties() {
    System.clearProperty("CONFIG_TEST_TTL");
  }

  /** A loader named by class in the file. */
  public static final class UpperLoader implements CacheLoader<String, String> {
    @Override
    public String load(String key) {
      return key.toUpperCase();
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      throw new UnsupportedOperationException();
    }
  }

  /** A writer named by class in the file. */
  public static final class NoWriter implements CacheWriter<Object, Object> {
    @Override
    public void write(Cache.Entry<?, ?> entry) {}

    @Override
    public void writeAll(java.util.Collection<Cache.Entry<?, ?>> entries) {
      entries.clear();
    }

    @Override
    public void delete(Object key) {}

    @Override
    public void deleteAll(java.util.Collection<?> keys) {
      keys.clear();
    }
  }

  private ManagerSettings yaml(String... lines) throws Exception {
    Path file = dir.resolve("cascade.yaml");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return ManagerSettings.resolve(file.toUri(), LOADER, null);
  }

  private ManagerSettings properties(String... lines) throws Exception {
    Path file = dir.resolve("cascade.properties");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return ManagerSettings.resolve(file.toUri(), LOADER, null);
  }

  /** The message of the error reading this YAML, with the temporary directory cut off. */
  private String yamlError(String... lines) {
    CacheException e = assertThrows(CacheException.class, () -> yaml(lines));
    return e.getMessage().replace(dir.toUri().toString(), "").replace("file:" + dir + "/", "");
  }

  private String propertiesError(String... lines) {
    CacheException e = assertThrows(CacheException.class, () -> properties(lines));
    return e.getMessage().replace(dir.toUri().toString(), "").replace("file:" + dir + "/", "");
  }

  private static DeclaredCache cache(ManagerSettings s, String name) {
    return s.declaredCaches().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  private static long millis(javax.cache.expiry.Duration d) {
    return d.getTimeUnit().toMillis(d.getDurationAmount());
  }

  private static ExpiryPolicy expiry(DeclaredCache c) {
    return c.configuration().getExpiryPolicyFactory().create();
  }

  // ------------------------------------------------------------------ what a file declares

  private static final String[] FULL_YAML = {
    "cascade:",
    "  redis:",
    "    uri: ${CONFIG_TEST_NO_SUCH_VARIABLE:redis://127.0.0.1:7790}",
    "  partitions: 8",
    "  codec:",
    "    name: java",
    "    allow: com.acme.**",
    "  templates:",
    "    short-lived:",
    "      expiry: { created: \"${CONFIG_TEST_TTL:10m}\" }",
    "      statistics: true",
    "      codec: { allow: com.acme.shared.** }",
    "  caches:",
    "    users:",
    "      template: short-lived",
    "      key-type: String",
    "      value-type: java.lang.String",
    "      expiry:",
    "        accessed: 30m",
    "      loader: " + LOADER_CLASS,
    "      codec:",
    "        name: json",
    "        max-depth: 30",
    "      partitions: 4",
    "    sessions:",
    "      template: short-lived",
    "      writer: " + WRITER_CLASS,
    "      write-behind:",
    "        batch-size: 50",
    "        max-delay: 20ms",
    "        backoff: { initial: 10ms, max: 1s }",
    "        overflow: fail",
    "    com.acme.Order:",
    "      near-cache: 100",
    "      lock: { lease: 5s }",
  };

  @Test
  void yaml_declaresCachesWithTheirTemplateTheirOwnSettingsAndTheManagerDefaults()
      throws Exception {
    System.setProperty("CONFIG_TEST_TTL", "90s");
    ManagerSettings s = yaml(FULL_YAML);
    assertEquals("redis://127.0.0.1:7790", s.redisUri(), "the placeholder's default");
    assertEquals(
        List.of("users", "sessions", "com.acme.Order"),
        s.declaredCaches().stream().map(DeclaredCache::name).toList());

    DeclaredCache users = cache(s, "users");
    CascadeConfiguration<Object, Object> u = users.configuration();
    assertEquals(String.class, u.getKeyType());
    assertEquals(String.class, u.getValueType());
    // the cache's own expiry replaces the template's whole: accessed, not created + accessed
    assertInstanceOf(AccessedExpiryPolicy.class, expiry(users));
    assertEquals(30 * 60_000L, millis(expiry(users).getExpiryForAccess()));
    assertTrue(u.isStatisticsEnabled(), "from the template");
    assertTrue(u.isReadThrough(), "a loader turns read-through on");
    assertFalse(u.isWriteThrough());
    assertEquals(
        "HELLO",
        ((CacheLoader<Object, Object>) (CacheLoader) u.getCacheLoaderFactory().create())
            .load("hello"));
    assertEquals(4, u.getPartitions());
    // sections merge: the template's allow-list stays beside the cache's own limits
    assertEquals(List.of("com.acme.shared.**"), u.getDeserializationAllowList());
    assertEquals(30, u.getDeserializationLimits().maxDepth());
    assertEquals("json", users.codecName());
    assertEquals(List.of("com.acme.**"), s.allowList("users"), "the manager's allow-list");

    DeclaredCache sessions = cache(s, "sessions");
    CascadeConfiguration<Object, Object> se = sessions.configuration();
    assertInstanceOf(CreatedExpiryPolicy.class, expiry(sessions));
    assertEquals(
        90_000L,
        millis(expiry(sessions).getExpiryForCreation()),
        "the placeholder, from the system property");
    assertTrue(se.isWriteThrough(), "write-behind turns write-through on");
    WriteBehindSettings wb = WriteBehind.settingsOf(se.getCacheWriterFactory());
    assertEquals(50, wb.batchSize());
    assertEquals(Duration.ofMillis(20), wb.maxDelay());
    assertEquals(dev.cascade.writebehind.Overflow.FAIL, wb.overflow());
    assertEquals("java", sessions.codecName(), "the manager's codec");
    assertNull(se.getPartitions(), "unset: the manager's 8 applies when it opens");
    assertEquals(8, s.partitions("sessions"));

    CascadeConfiguration<Object, Object> order = cache(s, "com.acme.Order").configuration();
    assertInstanceOf(EternalExpiryPolicy.class, order.getExpiryPolicyFactory().create());
    assertEquals(100, order.getNearCacheMaxEntries());
    assertEquals(Duration.ofSeconds(5), order.getLockLease());
    assertEquals(Object.class, order.getKeyType());
  }

  @Test
  void yaml_replicaAckOfAWriteThroughCache_isRefusedBesideWriteBehind() throws Exception {
    ManagerSettings s =
        yaml(
            "cascade:",
            "  caches:",
            "    payments:",
            "      writer: " + WRITER_CLASS,
            "      replica-ack: { replicas: 2, timeout: 3s }");
    CascadeConfiguration<Object, Object> p = cache(s, "payments").configuration();
    assertEquals(2, p.getReplicaAcks());
    assertEquals(Duration.ofSeconds(3), p.getReplicaAckTimeout());

    CacheException e =
        assertThrows(
            CacheException.class,
            () ->
                yaml(
                        "cascade:",
                        "  caches:",
                        "    queued:",
                        "      writer: " + WRITER_CLASS,
                        "      write-behind: { batch-size: 5 }",
                        "      replica-ack: { replicas: 1 }")
                    .declaredCaches());
    assertTrue(e.getMessage().contains("write-behind.replica-ack"), e.getMessage());
    assertTrue(e.getMessage().contains("line 6"), e.getMessage());
  }

  @Test
  void tlsSettings_withAPlainRedisUri_nameTheirFileAndLine() throws Exception {
    ManagerSettings s =
        yaml(
            "cascade:",
            "  redis:",
            "    uri: redis://127.0.0.1:6379",
            "    tls:",
            "      truststore: /etc/app/ca.p12");
    CacheException e = assertThrows(CacheException.class, s::redisTarget);
    String message = e.getMessage().replace(dir.toUri().toString(), "");
    assertTrue(
        message.startsWith(
            "cascade.yaml line 4: setting cascade.redis.tls.truststore is for TLS, but the Redis"
                + " URI 'redis://127.0.0.1:6379' does not use TLS"),
        message);
  }

  @Test
  void properties_declareTheSameCaches() throws Exception {
    System.setProperty("CONFIG_TEST_TTL", "90s");
    ManagerSettings s =
        properties(
            "cascade.redis.uri=${CONFIG_TEST_NO_SUCH_VARIABLE:redis://127.0.0.1:7790}",
            "cascade.partitions=8",
            "cascade.templates.short-lived.expiry.created=${CONFIG_TEST_TTL:10m}",
            "cascade.templates.short-lived.statistics=true",
            "cascade.caches.users.template=short-lived",
            "cascade.caches.users.key-type=String",
            "cascade.caches.users.expiry.accessed=30m",
            "cascade.caches.users.loader=" + LOADER_CLASS,
            "cascade.caches.sessions.template=short-lived",
            "cascade.caches.sessions.writer=" + WRITER_CLASS,
            "cascade.caches.sessions.write-behind.batch-size=50",
            "# a name with dots goes in brackets",
            "cascade.caches[com.acme.Order].near-cache=100");
    assertEquals(
        List.of("users", "sessions", "com.acme.Order"),
        s.declaredCaches().stream().map(DeclaredCache::name).toList());
    assertInstanceOf(AccessedExpiryPolicy.class, expiry(cache(s, "users")));
    assertTrue(cache(s, "users").configuration().isStatisticsEnabled());
    assertEquals(90_000L, millis(expiry(cache(s, "sessions")).getExpiryForCreation()));
    assertEquals(
        50,
        WriteBehind.settingsOf(cache(s, "sessions").configuration().getCacheWriterFactory())
            .batchSize());
    assertEquals(100, cache(s, "com.acme.Order").configuration().getNearCacheMaxEntries());
  }

  @Test
  void explicitProperties_winOverTheFile_andMayNameRedis() throws Exception {
    Path file = dir.resolve("cascade.yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "cascade:",
            "  redis: { uri: redis://127.0.0.1:7790 }",
            "  caches:",
            "    users: { expiry: { created: 10m }, partitions: 4 }",
            ""));
    Properties p = new Properties();
    p.setProperty("cascade.redis.uri", "redis://127.0.0.1:7791");
    p.setProperty("cascade.caches.users.expiry.accessed", "1m");
    p.setProperty("hibernate.cache.use_second_level_cache", "true"); // not Cascade's: left alone
    ManagerSettings s = ManagerSettings.resolve(file.toUri(), LOADER, p);
    assertEquals("redis://127.0.0.1:7791", s.redisUri());
    // expiry is one choice: the explicit one replaces the file's
    assertInstanceOf(AccessedExpiryPolicy.class, expiry(cache(s, "users")));
    assertEquals(4, cache(s, "users").configuration().getPartitions());
  }

  @Test
  void managerUri_withoutUri_comesFromTheProperties() {
    Properties p = new Properties();
    p.setProperty("cascade.redis.uri", "redis://127.0.0.1:7792");
    assertEquals(URI.create("redis://127.0.0.1:7792"), ManagerSettings.managerUri(null, p));
    assertEquals(ManagerSettings.defaultUri(), ManagerSettings.managerUri(null, new Properties()));
    assertEquals(
        URI.create("classpath:x.yaml"),
        ManagerSettings.managerUri(URI.create("classpath:x.yaml"), p));
  }

  @Test
  void redisUriAndAnotherInTheProperties_isRefused() {
    Properties p = new Properties();
    p.setProperty("cascade.redis.uri", "redis://:hunter2@127.0.0.1:7792");
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> ManagerSettings.resolve(URI.create("redis://127.0.0.1:7793"), LOADER, p));
    assertEquals(
        "CacheManager properties: cascade.redis.uri: names Redis 'redis://***@127.0.0.1:7792', but"
            + " the CacheManager URI names 'redis://127.0.0.1:7793'; give one of them",
        e.getMessage());
  }

  // ------------------------------------------------------------------ errors: file, line, key

  @Test
  void unknownKey_namesFileLineKeyAndTheNearestKnownKey() {
    assertEquals(
        "cascade.yaml line 5: cascade.caches.users.expiry.creatd: unknown key 'creatd'; did you"
            + " mean 'created'?",
        yamlError("cascade:", "  caches:", "    users:", "      expiry:", "        creatd: 10m"));
    assertEquals(
        "cascade.yaml line 4: cascade.caches.users.statistic: unknown key 'statistic'; did you"
            + " mean 'statistics'?",
        yamlError("cascade:", "  caches:", "    users:", "      statistic: true"));
    assertEquals(
        "cascade.yaml line 1: cascde: unknown key 'cascde'; did you mean 'cascade'?",
        yamlError("cascde:", "  partitions: 4"));
    assertEquals(
        "cascade.properties line 2: cascade.caches.users.write-behind.batchsize: unknown key"
            + " 'batchsize'; did you mean 'batch-size'?",
        propertiesError(
            "cascade.caches.users.writer=" + WRITER_CLASS,
            "cascade.caches.users.write-behind.batchsize=10"));
  }

  @Test
  void unknownSection_inYaml_isNotTakenForADottedName() {
    assertEquals(
        "cascade.yaml line 4: cascade.caches.users.expiri: unknown key 'expiri'; did you mean"
            + " 'expiry'?",
        yamlError("cascade:", "  caches:", "    users:", "      expiri: { created: 1m }"));
  }

  @Test
  void unknownKey_farFromEveryKnownKey_listsTheKnownKeys() {
    assertEquals(
        "cascade.yaml line 3: cascade.lock.timeout: unknown key 'timeout' (known here: lease, wait)",
        yamlError("cascade:", "  lock:", "    timeout: 5s"));
  }

  @Test
  void wrongType_namesTheExpectedType() {
    assertEquals(
        "cascade.yaml line 4: cascade.caches.users.statistics: expected true or false, found 'yes"
            + " please'",
        yamlError("cascade:", "  caches:", "    users:", "      statistics: yes please"));
    assertEquals(
        "cascade.yaml line 4: cascade.caches.users.partitions: expected a whole number, found"
            + " 'many'",
        yamlError("cascade:", "  caches:", "    users:", "      partitions: many"));
    assertEquals(
        "cascade.yaml line 2: cascade.partitions: expected a number from 1 to 16384, found '0'",
        yamlError("cascade:", "  partitions: 0"));
    assertEquals(
        "cascade.yaml line 3: cascade.caches.users: expected a section of settings, found '10m'",
        yamlError("cascade:", "  caches:", "    users: 10m"));
  }

  @Test
  void badDuration_namesTheKeyAndTheForms() {
    assertEquals(
        "cascade.yaml line 5: cascade.caches.users.expiry.created: expected a duration (250ms,"
            + " 10s, 5m, 1h, 2d, PT10S or a number of milliseconds), found 'ten minutes'",
        yamlError(
            "cascade:",
            "  caches:",
            "    users:",
            "      expiry:",
            "        created: ten minutes"));
  }

  @Test
  void expiry_unknownKind_orTwoKinds_orNotEternal_isRefused() {
    assertEquals(
        "cascade.yaml line 5: cascade.caches.users.expiry.updated: unknown key 'updated' (known"
            + " here: created, accessed, modified, touched)",
        yamlError("cascade:", "  caches:", "    users:", "      expiry:", "        updated: 1m"));
    assertEquals(
        "cascade.yaml line 4: cascade.caches.users.expiry: two expiry kinds: created (cascade.yaml"
            + " line 5) and accessed (cascade.yaml line 6); a cache has one expiry, give one",
        yamlError(
            "cascade:",
            "  caches:",
            "    users:",
            "      expiry:",
            "        created: 1m",
            "        accessed: 1m"));
    assertEquals(
        "cascade.yaml line 4: cascade.caches.users.expiry: expected 'eternal', or one of created,"
            + " accessed, modified, touched with a duration (expiry.created: 10m), found 'etrnal';"
            + " did you mean 'eternal'?",
        yamlError("cascade:", "  caches:", "    users:", "      expiry: etrnal"));
  }

  @Test
  void loaderAndWriterClasses_missingOrOfTheWrongKind_areRefused() {
    String missing =
        yamlError("cascade:", "  caches:", "    users:", "      loader: com.acme.NoSuchLoader");
    assertEquals(
        "cascade.yaml line 4: cascade.caches.users.loader: class 'com.acme.NoSuchLoader' is not on"
            + " the class path (java.lang.ClassNotFoundException: com.acme.NoSuchLoader)",
        missing);
    assertEquals(
        "cascade.yaml line 4: cascade.caches.users.loader: class "
            + WRITER_CLASS
            + " is not a javax.cache.integration.CacheLoader (it must implement it)",
        yamlError("cascade:", "  caches:", "    users:", "      loader: " + WRITER_CLASS));
    assertEquals(
        "cascade.yaml line 4: cascade.caches.users.writer: class "
            + LOADER_CLASS
            + " is not a javax.cache.integration.CacheWriter (it must implement it)",
        yamlError("cascade:", "  caches:", "    users:", "      writer: " + LOADER_CLASS));
    assertEquals(
        "cascade.yaml line 4: cascade.caches.users.writer: class java.lang.String is not a"
            + " javax.cache.integration.CacheWriter (it must implement it)",
        yamlError("cascade:", "  caches:", "    users:", "      writer: String"));
  }

  @Test
  void jdbc_withAnUndeclaredDataSource_orBesideALoader_isRefused() {
    assertEquals(
        "cascade.yaml line 10: cascade.caches.users.jdbc.datasource: no data source 'mian' is"
            + " declared under cascade.datasources; did you mean 'main'?",
        yamlError(
            "cascade:",
            "  datasources:",
            "    main: { url: 'jdbc:mysql://127.0.0.1:3306/test' }",
            "  caches:",
            "    users:",
            "      key-type: Long",
            "      jdbc:",
            "        table: users",
            "        key-column: id",
            "        datasource: mian",
            "        value-column: payload"));
    assertEquals(
        "cascade.yaml line 6: cascade.caches.users.jdbc: jdbc makes both the loader and the"
            + " writer, and 'loader' is given too (cascade.yaml line 5); give jdbc, or loader and"
            + " writer classes, not both",
        yamlError(
            "cascade:",
            "  datasources: { main: { url: 'jdbc:mysql://127.0.0.1:3306/test' } }",
            "  caches:",
            "    users:",
            "      loader: " + LOADER_CLASS,
            "      jdbc: { datasource: main, table: users, key-column: id, value-column: v }"));
  }

  @Test
  void dataSourceUrl_notJdbc_isShownWithoutItsPassword() {
    assertEquals(
        "cascade.yaml line 4: cascade.datasources.main.url: expected a JDBC URL (jdbc:…), found"
            + " 'mysql://db:3306/shop?user=shop&password=***'",
        yamlError(
            "cascade:",
            "  datasources:",
            "    main:",
            "      url: mysql://db:3306/shop?user=shop&password=hunter2"));
  }

  @Test
  void writeBehind_withoutAWriter_isRefused() {
    assertEquals(
        "cascade.yaml line 4: cascade.caches.users.write-behind: write-behind needs a writer:"
            + " give 'writer' (a class) or 'jdbc' in this cache",
        yamlError("cascade:", "  caches:", "    users:", "      write-behind: { batch-size: 10 }"));
  }

  @Test
  void placeholder_withoutValueOrDefault_namesTheVariable() {
    assertEquals(
        "cascade.yaml line 3: cascade.redis.uri: variable 'CONFIG_TEST_NO_SUCH_VARIABLE' is not"
            + " set (no environment variable or system property of that name); set it, or give a"
            + " default: ${CONFIG_TEST_NO_SUCH_VARIABLE:default}",
        yamlError("cascade:", "  redis:", "    uri: ${CONFIG_TEST_NO_SUCH_VARIABLE}"));
  }

  @Test
  void placeholder_readsTheEnvironmentFirst() throws Exception {
    // an environment variable every test run has; a system property of the same name loses
    String name =
        System.getenv().containsKey("PATH") ? "PATH" : System.getenv().keySet().iterator().next();
    System.setProperty(name, "from-the-system-property");
    try {
      Placeholders p = Placeholders.fromSystem();
      ConfigNode n = ConfigNode.value("k", "f", 1, null);
      assertEquals(System.getenv(name), p.resolve(n, "${" + name + ":fallback}"));
      assertEquals("a${b", p.resolve(n, "a$${b"));
    } finally {
      System.clearProperty(name);
    }
  }

  @Test
  void template_unknown_isRefusedWithASuggestion() {
    assertEquals(
        "cascade.yaml line 6: cascade.caches.users.template: no template 'short-live' is declared"
            + " under cascade.templates; did you mean 'short-lived'?",
        yamlError(
            "cascade:",
            "  templates:",
            "    short-lived: { statistics: true }",
            "  caches:",
            "    users:",
            "      template: short-live"));
  }

  @Test
  void overrideSection_forADeclaredCache_orWithCacheKeys_isRefused() {
    assertEquals(
        "cascade.yaml line 6: cascade.cache.users: cache 'users' is declared in cascade.caches"
            + " (cascade.yaml line 3); give all its settings there",
        yamlError(
            "cascade:",
            "  caches:",
            "    users:",
            "      partitions: 4",
            "  cache:",
            "    users: { near-cache: 10 }"));
    String m = propertiesError("cascade.cache.users.expiry.created=10m");
    assertTrue(
        m.startsWith("cascade.properties line 1: cascade.cache.users.expiry: unknown key 'expiry'"),
        m);
    assertTrue(
        m.endsWith(
            "(cascade.cache.<name> holds partitions, near-cache, codec, lock, statistics and"
                + " management for a cache created in code; declare a cache with its expiry, loader or writer under"
                + " cascade.caches.<name>)"),
        m);
  }

  @Test
  void dottedCacheNameWithoutBrackets_inProperties_saysHowToWriteIt() {
    assertEquals(
        "cascade.properties line 1: cascade.caches.com.acme: unknown key 'acme' (known here:"
            + " template, key-type, value-type, expiry, statistics, management, store-by-value,"
            + " read-through, write-through, loader, writer, jdbc, write-behind, codec, near-cache,"
            + " partitions, lock, replica-ack); if 'com.acme…' is one name with dots, write it in"
            + " brackets in"
            + " properties: cascade.caches[com.acme…]",
        propertiesError("cascade.caches.com.acme.Order.expiry.created=10m"));
  }

  @Test
  void keyGivenTwice_namesBothLines() {
    assertEquals(
        "cascade.yaml line 3: cascade.partitions: given twice (first at cascade.yaml line 2)",
        yamlError("cascade:", "  partitions: 4", "  partitions: 8"));
    assertEquals(
        "cascade.properties line 3: cascade.partitions: given twice (first at cascade.properties"
            + " line 1)",
        propertiesError("cascade.partitions=4", "# again", "cascade.partitions=8"));
  }

  @Test
  void invalidYaml_namesTheLine() {
    String m = yamlError("cascade:", "  caches:", "    users: [", "  partitions: 4");
    assertTrue(m.startsWith("cascade.yaml line "), m);
    assertTrue(m.contains("not valid YAML"), m);
  }

  @Test
  void yamlObjectTags_constructNothing() {
    // SnakeYAML composes nodes only, and refuses global tags: no class is ever named to create
    assertEquals(
        "cascade.yaml line 2: not valid YAML: Global tag is not allowed:"
            + " tag:yaml.org,2002:javax.script.ScriptEngineManager",
        yamlError("cascade:", "  partitions: !!javax.script.ScriptEngineManager [x]"));
  }

  @Test
  void codecName_isCheckedAsANameOnly() {
    assertEquals(
        "cascade.yaml line 3: cascade.codec.name: expected java, json or the fully qualified name"
            + " of a codec provider class, found 'json please'",
        yamlError("cascade:", "  codec:", "    name: json please"));
  }

  @Test
  void jdbcLoader_fromADeclaredDataSource() throws Exception {
    ManagerSettings s =
        yaml(
            "cascade:",
            "  datasources:",
            "    main: { url: 'jdbc:mysql://127.0.0.1:3306/test', username: root, max-total: 4 }",
            "  caches:",
            "    users:",
            "      key-type: Long",
            "      jdbc: { datasource: main, table: users, key-column: id, value-column: payload,"
                + " revision-column: revision }");
    CascadeConfiguration<Object, Object> c = cache(s, "users").configuration();
    assertTrue(c.isReadThrough() && c.isWriteThrough());
    Object loader = c.getCacheLoaderFactory().create();
    assertEquals("revision", ((JdbcCacheLoader<?, ?>) loader).mapping().revisionColumn());
    s.close();
  }

  @Test
  void theCompleteExampleOfTheDocs_isRead() throws Exception {
    Path docs = Path.of("..", "docs", "configuration.md");
    String page = Files.readString(docs);
    int start =
        page.indexOf("```yaml", page.indexOf("### A complete example")) + "```yaml".length();
    String example = page.substring(start, page.indexOf("```", start));
    // the example's application classes, played by this test's
    example =
        example
            .replace("com.acme.UserLoader", LOADER_CLASS)
            .replace("com.acme.SessionWriter", WRITER_CLASS)
            .replace("com.acme.User\n", "java.lang.String\n");
    System.setProperty("TRUSTSTORE_PASSWORD", "not-read-here");
    try {
      ManagerSettings s = yaml(example.split("\n"));
      assertEquals(
          List.of("users", "products", "sessions"),
          s.declaredCaches().stream().map(DeclaredCache::name).toList());
      CascadeConfiguration<Object, Object> products = cache(s, "products").configuration();
      assertEquals(500, WriteBehind.settingsOf(products.getCacheWriterFactory()).batchSize());
      assertEquals(
          50_000, WriteBehind.settingsOf(products.getCacheWriterFactory()).deadLetterLimit());
      assertEquals("json", cache(s, "products").codecName());
      assertInstanceOf(AccessedExpiryPolicy.class, expiry(cache(s, "users")));
      assertTrue(cache(s, "users").configuration().isStatisticsEnabled());
      assertEquals(1, cache(s, "sessions").configuration().getReplicaAcks());
      s.close();
    } finally {
      System.clearProperty("TRUSTSTORE_PASSWORD");
    }
  }
}
