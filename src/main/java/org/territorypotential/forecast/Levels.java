package org.territorypotential.forecast;

import java.util.List;

/** The hierarchy levels of a series: a geo unit, its territory, the state (the whole area). */
public final class Levels {
  public static final String UNIT = "unit";
  public static final String TERRITORY = "territory";
  public static final String STATE = "state";
  public static final List<String> ALL = List.of(UNIT, TERRITORY, STATE);

  private Levels() {}
}
