package dev.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisServerTest {

    @Test
    void start_defaults_answersOnLoopbackWithoutPersistence() {
        try (RedisServer redis = RedisServer.start()) {
            assertTrue(redis.isRunning());
            assertEquals("127.0.0.1", redis.host());
            assertEquals("redis://127.0.0.1:" + redis.port(), redis.uri());
            assertEquals("PONG", redis.command("PING"));
            assertEquals("no", ((java.util.List<?>) redis.command("CONFIG", "GET", "appendonly")).get(1));
            assertEquals("", ((java.util.List<?>) redis.command("CONFIG", "GET", "save")).get(1));
            assertEquals(String.valueOf(redis.pid()), redis.info("server").get("process_id"));
        }
    }

    @Test
    void start_withPassword_fixtureAuthenticatesAndOtherClientsMust() throws IOException {
        String password = "p@ss/w:rd%\"quoted\" \\ x";
        try (RedisServer redis = RedisServer.builder().password(password).start()) {
            assertEquals(password, redis.password());
            assertEquals("PONG", redis.command("PING"));
            RespClient.RespError refused =
                    assertThrows(RespClient.RespError.class, () -> RespClient.callOnce(redis.port(), null, "PING"));
            assertTrue(refused.getMessage().startsWith("NOAUTH"), refused.getMessage());
            assertEquals("PONG", RespClient.callOnce(redis.port(), password, "PING"));
            long pid = redis.pid();
            redis.restart();
            assertNotEquals(pid, redis.pid());
            redis.stop();
            assertTrue(redis.logTail(5).contains("ready to exit"), "SHUTDOWN was authenticated: " + redis.logTail(5));
        }
    }

    @Test
    void config_requirepass_isRefusedInFavourOfPassword() {
        assertThrows(IllegalArgumentException.class, () -> RedisServer.builder().config("requirepass", "x"));
    }

    @Test
    void killThenRestart_appendOnlyAlways_keepsAcknowledgedWrite() {
        try (RedisServer redis = RedisServer.builder().appendOnly(true).appendFsync("always").start()) {
            long firstPid = redis.pid();
            assertEquals("OK", redis.command("SET", "survivor", "yes"));

            redis.kill();
            assertFalse(redis.isRunning());
            redis.restart();

            assertTrue(redis.isRunning());
            assertNotEquals(firstPid, redis.pid());
            assertEquals("yes", redis.command("GET", "survivor"));
        }
    }

    @Test
    void killThenRestart_noPersistence_startsEmptyOnSamePort() {
        try (RedisServer redis = RedisServer.start()) {
            int port = redis.port();
            redis.command("SET", "gone", "1");
            redis.kill();
            redis.restart();
            assertEquals(port, redis.port());
            assertNull(redis.command("GET", "gone"));
        }
    }

    @Test
    void close_stopsProcessAndDeletesDirectory() {
        RedisServer redis = RedisServer.start();
        Path dir = redis.dataDir();
        ProcessHandle handle = ProcessHandle.of(redis.pid()).orElseThrow();
        redis.close();
        assertFalse(handle.isAlive());
        assertFalse(Files.exists(dir));
        redis.close(); // idempotent
    }

    @Test
    void stop_isGraceful_andLogSaysSo() {
        try (RedisServer redis = RedisServer.start()) {
            redis.stop();
            assertFalse(redis.isRunning());
            assertTrue(redis.logTail(5).contains("ready to exit"), redis.logTail(5));
        }
    }

    @Test
    void start_badConfig_failsWithPortAndLogTail() {
        FixtureException e = assertThrows(FixtureException.class,
                () -> RedisServer.builder().config("no-such-directive", "1").start());
        assertTrue(e.getMessage().contains("port"), e.getMessage());
        assertTrue(e.getMessage().contains("no-such-directive"), e.getMessage());
    }

    @Test
    void start_fixedPortTaken_failsNamingPort() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            FixtureException e = assertThrows(FixtureException.class, () -> RedisServer.builder().port(port).start());
            assertTrue(e.getMessage().contains("port " + port + " is already in use"), e.getMessage());
            assertTrue(e.getCause().getMessage().contains("Address already in use"), e.getCause().getMessage());
        }
    }

    @Test
    void flushAll_emptiesServer() {
        try (RedisServer redis = RedisServer.start()) {
            redis.command("SET", "k", "v");
            redis.flushAll();
            assertEquals(0L, redis.command("DBSIZE"));
        }
    }

    @Test
    void replicaOf_replicatesPrimary() {
        try (RedisServer primary = RedisServer.start();
             RedisServer replica = RedisServer.builder().replicaOf(primary.host(), primary.port()).start()) {
            primary.command("SET", "k", "v");
            Waiting.until("replication", java.time.Duration.ofSeconds(10),
                    () -> "v".equals(replica.command("GET", "k")), null);
            assertEquals("slave", replica.info("replication").get("role"));
        }
    }
}
