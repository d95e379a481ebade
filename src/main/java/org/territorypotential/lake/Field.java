package org.territorypotential.lake;

/**
 * One column of an input contract: its canonical name, type, whether it must be present on
 * every row, and the comment it carries into the tables.
 */
public record Field(String name, Type type, boolean required, String comment) {

  /** Canonical column types. Raw values arrive as strings and are parsed to these. */
  public enum Type {
    STRING("string"),
    INT("int"),
    LONG("bigint"),
    DOUBLE("double"),
    DATE("date"),
    /** Geometry as WKT text on input; stored as WKB (Delta has no geometry type). */
    GEOMETRY("binary");

    public final String sqlType;

    Type(String sqlType) {
      this.sqlType = sqlType;
    }
  }

  public static Field req(String name, Type type, String comment) {
    return new Field(name, type, true, comment);
  }

  public static Field opt(String name, Type type, String comment) {
    return new Field(name, type, false, comment);
  }
}
