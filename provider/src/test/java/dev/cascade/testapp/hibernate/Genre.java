package dev.cascade.testapp.hibernate;

/** An application enum: Hibernate's disassembled state holds the constant itself. */
public enum Genre {
  NOVEL,
  ESSAY
}
