package org.territorypotential.lake;

/**
 * A stage's input table or partition does not exist: an upstream stage has not run (for this run
 * date). Every stage raises this one type, with one wording, and the launcher maps it to exit 3.
 */
public final class MissingInput extends RuntimeException {
  public MissingInput(String message) {
    super(message);
  }

  /** "{stage} needs {what}, which does not exist: run {producer} first". */
  public static MissingInput of(String stage, String what, String producer) {
    return new MissingInput(stage + " needs " + what + ", which does not exist: run " + producer + " first");
  }

  /** A table read outside a stage's declared inputs. */
  static MissingInput table(Lake lake, Table t) {
    return new MissingInput(lake.sqlName(t) + " (" + lake.path(t) + ") does not exist: run the stage that writes it first");
  }
}
