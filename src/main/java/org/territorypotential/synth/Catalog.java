package org.territorypotential.synth;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * What is sold: the segments (with the market structure behind them) and, per brand, 1 to 3
 * invented models in every segment. Segment constants are part of the model, not tunables:
 * docs/synthetic-data.md explains them.
 */
public final class Catalog {
  /** Segments, in the order every per-segment array below uses. */
  public static final List<String> SEGMENTS =
      List.of("SMALL_CAR", "MIDSIZE_CAR", "SMALL_SUV", "MIDSIZE_SUV", "PICKUP", "LUXURY");
  /** Share of industry volume per segment in an average unit, before income and density effects. */
  static final double[] BASE_MIX = {0.14, 0.16, 0.24, 0.22, 0.16, 0.08};
  /** Typical transaction price per segment, USD. */
  static final double[] BASE_PRICE = {23_500, 30_500, 32_500, 43_500, 51_000, 66_000};
  /** Our brand's strength per segment: its share there = tp.generate.our-brand-share x this. */
  static final double[] OUR_STRENGTH = {0.9, 1.0, 1.3, 1.1, 0.5, 0.8};
  /** Battery-electric propensity per segment, relative to the market's BEV share. */
  static final double[] BEV_FACTOR = {1.0, 1.0, 1.1, 0.9, 0.35, 2.2};

  private static final String CONSONANTS = "BDFGKLMNPRSTVZ";
  private static final String VOWELS = "AEIOU";

  /** One model: its brand, segment index, name and list price. */
  public record Model(String brand, int segment, String name, double price) {}

  /** Brands: ours first, then the competitors. */
  public final List<String> brands;
  /** Models per brand and segment: models.get(brand)[segment]. */
  public final Map<String, List<List<Model>>> models;

  private Catalog(List<String> brands, Map<String, List<List<Model>>> models) {
    this.brands = brands;
    this.models = models;
  }

  static Catalog build(SynthParams p, SplittableRandom rng) {
    List<String> brands = new ArrayList<>();
    brands.add(p.ourBrand());
    brands.addAll(p.competitorBrands());
    Set<String> used = new HashSet<>(brands);
    Map<String, List<List<Model>>> models = new LinkedHashMap<>();
    for (int b = 0; b < brands.size(); b++) {
      double premium = b == 0 ? 1.0 : 0.92 + 0.16 * rng.nextDouble();
      List<List<Model>> perSegment = new ArrayList<>();
      for (int s = 0; s < SEGMENTS.size(); s++) {
        int n = 1 + rng.nextInt(3);
        List<Model> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String name;
          do {
            name = modelName(rng);
          } while (!used.add(name));
          double price = Math.round(BASE_PRICE[s] * premium * (0.9 + 0.25 * rng.nextDouble()) / 100.0) * 100.0;
          list.add(new Model(brands.get(b), s, name, price));
        }
        perSegment.add(List.copyOf(list));
      }
      models.put(brands.get(b), List.copyOf(perSegment));
    }
    return new Catalog(List.copyOf(brands), models);
  }

  /** An invented, pronounceable upper-case name: two or three consonant-vowel syllables. */
  private static String modelName(SplittableRandom rng) {
    StringBuilder sb = new StringBuilder();
    int syllables = 2 + rng.nextInt(2);
    for (int i = 0; i < syllables; i++) {
      sb.append(CONSONANTS.charAt(rng.nextInt(CONSONANTS.length())));
      sb.append(VOWELS.charAt(rng.nextInt(VOWELS.length())));
    }
    if (rng.nextInt(3) == 0) {
      sb.append(CONSONANTS.charAt(rng.nextInt(CONSONANTS.length())));
    }
    return sb.toString();
  }

  public static int segmentIndex(String segment) {
    int i = SEGMENTS.indexOf(segment);
    if (i < 0) {
      throw new IllegalArgumentException("unknown segment " + segment);
    }
    return i;
  }
}
