package dev.cascade.internal.writebehind;

import dev.cascade.internal.store.QueueStore.QueuedRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch of queued records reduced to one change per key: the key's last record wins (a delete
 * after a put is a delete, a put after a delete is a put), and every record it replaces is
 * remembered, so all of them are acknowledged once the winning change is written. Records must be
 * given in stream order. Pure logic, no I/O.
 */
final class Coalesced {

  /** The one change a key gets from this batch, and the records it settles. */
  static final class Change {
    final byte[] key;
    final boolean delete;
    final byte[] value;
    final List<QueuedRecord> records = new ArrayList<>(1);

    Change(QueuedRecord first) {
      this.key = first.key;
      this.delete = first.delete;
      this.value = first.value;
      records.add(first);
    }

    private Change(byte[] key, boolean delete, byte[] value, List<QueuedRecord> records) {
      this.key = key;
      this.delete = delete;
      this.value = value;
      this.records.addAll(records);
    }

    Change supersededBy(QueuedRecord later) {
      Change c = new Change(later.key, later.delete, later.value, records);
      c.records.add(later);
      return c;
    }

    /** The id of the last record for the key: the entry's pending marker if nothing newer came. */
    String lastId() {
      return records.get(records.size() - 1).id;
    }

    QueuedRecord last() {
      return records.get(records.size() - 1);
    }

    /**
     * The change's revision: its last record's place in the partition's queue (see {@link
     * RevisionedCacheWriter}).
     */
    long revision() {
      return last().revision();
    }
  }

  private final List<Change> changes;
  private final int records;

  private Coalesced(List<Change> changes, int records) {
    this.changes = changes;
    this.records = records;
  }

  static Coalesced of(List<QueuedRecord> inStreamOrder) {
    Map<ByteBuffer, Change> byKey = new LinkedHashMap<>();
    for (QueuedRecord r : inStreamOrder) {
      ByteBuffer k = ByteBuffer.wrap(r.key);
      Change c = byKey.get(k);
      byKey.put(k, c == null ? new Change(r) : c.supersededBy(r));
    }
    return new Coalesced(new ArrayList<>(byKey.values()), inStreamOrder.size());
  }

  List<Change> changes() {
    return Collections.unmodifiableList(changes);
  }

  /** Records in the batch. */
  int records() {
    return records;
  }

  /** Records that never reach the writer because a later record of the same key replaced them. */
  int coalesced() {
    return records - changes.size();
  }
}
