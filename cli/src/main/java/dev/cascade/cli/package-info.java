/**
 * {@code cascade}, the operator's command line: {@link dev.cascade.cli.CascadeCommand} and its
 * subcommands over {@link dev.cascade.CascadeAdmin}. Prints tables for people and {@code --json}
 * for scripts; exit codes are listed on {@link dev.cascade.cli.ExitCodes}.
 */
package dev.cascade.cli;
