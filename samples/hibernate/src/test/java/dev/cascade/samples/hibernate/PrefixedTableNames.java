package dev.cascade.samples.hibernate;

import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;

/**
 * Puts a prefix unique to one test class before every table name, so hbm2ddl's create-drop never
 * touches another test's (or another helper's) tables in the shared database.
 */
final class PrefixedTableNames extends PhysicalNamingStrategyStandardImpl {

  private final String prefix;

  PrefixedTableNames(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public Identifier toPhysicalTableName(Identifier logical, JdbcEnvironment environment) {
    return Identifier.toIdentifier(prefix + logical.getText(), logical.isQuoted());
  }
}
