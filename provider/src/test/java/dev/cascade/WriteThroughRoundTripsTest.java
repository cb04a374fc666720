package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A write-through {@code put} costs two Redis round trips besides the writer: {@code lock.lua}
 * takes the key's lock and reads the entry in one script, {@code mutate.lua} applies the change and
 * releases the lock. No separate read ({@code HMGET}) and no separate unlock. Watched with {@code
 * MONITOR} on a private server, which tells the client's commands from those a script runs.
 */
@WithRedis
@Timeout(60)
class WriteThroughRoundTripsTest {

  private static final String END = "wtfast-end-of-puts";

  @Test
  void put_ofAWriteThroughCache_sendsTwoScripts_andNoOtherEntryCommand(RedisServer redis)
      throws Exception {
    CacheManager manager = Managers.open(redis);
    try (Socket monitor = new Socket(redis.host(), redis.port())) {
      Cache<String, String> cache =
          manager.createCache(
              Managers.uniqueName("wtfast-trips"),
              new MutableConfiguration<String, String>()
                  .setTypes(String.class, String.class)
                  .setWriteThrough(true)
                  .setCacheWriterFactory(MapDatabase.writerFactory("wt-round-trips")));
      cache.put("warm", "up"); // loads the scripts: no NOSCRIPT below
      OutputStream out = monitor.getOutputStream();
      out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("+OK", in.readLine());

      cache.put("k1", "created");
      cache.put("k1", "updated");
      redis.command("ECHO", END);

      List<String> sent = new ArrayList<>();
      for (String line = in.readLine(); !line.contains(END); line = in.readLine()) {
        // "+<time> [<db> <client address>] "<command>" ...": a script's own commands say "lua"
        String[] parts = line.split(" ", 4);
        if (!parts[2].equals("lua]")) {
          sent.add(parts[3].split(" ", 2)[0].replace("\"", "").toLowerCase(Locale.ROOT));
        }
      }
      sent.removeIf(c -> !c.matches("eval|evalsha|hmget|hget|hset|set|get|del|unlink"));
      assertEquals(
          List.of("evalsha", "evalsha", "evalsha", "evalsha"),
          sent,
          "two puts: lock+read, then apply+unlock, each; nothing else on entries or locks");
      assertEquals("updated", MapDatabase.table("wt-round-trips").get("k1"));
      assertEquals("updated", cache.get("k1"));
    } finally {
      manager.close();
    }
  }
}
