package org.territorypotential.lake;

/** The medallion layers plus the operational tables; each maps to a folder and a database. */
public enum Layer {
  BRONZE("bronze"),
  SILVER("silver"),
  GOLD("gold"),
  OPS("ops");

  public final String key;

  Layer(String key) {
    this.key = key;
  }
}
