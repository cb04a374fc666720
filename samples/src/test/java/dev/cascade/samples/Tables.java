package dev.cascade.samples;

import dev.cascade.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;

/** Tables a test created in the test database, dropped when it closes. */
final class Tables implements AutoCloseable {

  private final List<String> created = new ArrayList<>();

  /** Runs {@code ddl} (a CREATE TABLE) and remembers {@code name} to drop it. */
  String create(String name, String ddl) {
    TestDatabase.execute(ddl);
    created.add(name);
    return name;
  }

  void remember(String name) {
    created.add(name);
  }

  @Override
  public void close() {
    created.forEach(TestDatabase::dropTable);
  }
}
