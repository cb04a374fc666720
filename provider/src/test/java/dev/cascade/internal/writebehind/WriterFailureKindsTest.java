package dev.cascade.internal.writebehind;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.sql.BatchUpdateException;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransactionRollbackException;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.Test;

/**
 * How a writer's failure is read: "the database cannot be reached" is never charged to a change;
 * "the database refused this data" is charged to a change written alone even with nothing written
 * beside it; anything else only while other changes are written.
 */
class WriterFailureKindsTest {

  private static CacheWriterException wrapped(Throwable cause) {
    return new CacheWriterException("writeAll to table t failed", cause);
  }

  @Test
  void integrityAndDataErrors_refuseTheData_anywhereInTheCauseChain() {
    assertTrue(WriterCalls.refusesData(wrapped(new SQLIntegrityConstraintViolationException("x"))));
    assertTrue(WriterCalls.refusesData(wrapped(new SQLDataException("x"))));
    // a CHECK violated inside a JDBC batch: a BatchUpdateException that carries only the state
    assertTrue(
        WriterCalls.refusesData(
            wrapped(new BatchUpdateException("CONSTRAINT failed", "23000", 4025, new int[0]))));
    assertTrue(WriterCalls.refusesData(wrapped(new SQLException("Data too long", "22001"))));
  }

  @Test
  void otherFailures_doNotSayTheDataIsRefused() {
    // the table is gone, a deadlock, a plain refusal of the writer, a refused connection
    assertFalse(
        WriterCalls.refusesData(wrapped(new SQLSyntaxErrorException("no such table", "42S02"))));
    assertFalse(
        WriterCalls.refusesData(wrapped(new SQLTransactionRollbackException("deadlock", "40001"))));
    assertFalse(WriterCalls.refusesData(new CacheWriterException("refusing key 7")));
    assertFalse(WriterCalls.refusesData(wrapped(new SQLException("link failure", "08S01"))));
    assertFalse(WriterCalls.refusesData(new StackOverflowError()));
  }

  @Test
  void connectionFailures_sayTheDatabaseIsUnreachable() {
    assertTrue(WriterCalls.looksUnreachable(wrapped(new SQLException("link failure", "08S01"))));
    assertTrue(WriterCalls.looksUnreachable(wrapped(new ConnectException("refused"))));
    assertFalse(
        WriterCalls.looksUnreachable(
            wrapped(new SQLIntegrityConstraintViolationException("x", "23000"))));
  }
}
