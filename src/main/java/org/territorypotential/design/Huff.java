package org.territorypotential.design;

import java.util.List;

/**
 * The Huff gravity model: P(unit -> dealer) = A^alpha d^-beta / sum over the unit's candidate
 * dealers, and its calibration by maximum likelihood on observed unit -> selling-dealer flows (a
 * conditional logit with the two features log A and -log d), by Newton's method with step halving.
 */
public final class Huff {
  private Huff() {}

  /** One unit's candidates: log attractiveness, log distance (km, floored) and the sales observed to each. */
  public record Group(double[] logAttractiveness, double[] logDistance, double[] counts) {}

  /** The estimate, its log-likelihood, the Newton iterations and the flows it was fitted on. */
  public record Fit(double alpha, double beta, double logLikelihood, int iterations, double flows, boolean converged) {}

  /** P over the candidates for alpha, beta (softmax of alpha log A - beta log d). */
  public static double[] probabilities(double alpha, double beta, double[] logA, double[] logD) {
    double[] p = new double[logA.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < p.length; j++) {
      p[j] = alpha * logA[j] - beta * logD[j];
      max = Math.max(max, p[j]);
    }
    double sum = 0;
    for (int j = 0; j < p.length; j++) {
      p[j] = Math.exp(p[j] - max);
      sum += p[j];
    }
    for (int j = 0; j < p.length; j++) {
      p[j] /= sum;
    }
    return p;
  }

  /** Maximum-likelihood alpha and beta, from (1, 1). */
  public static Fit calibrate(List<Group> groups, int maxIterations) {
    double a = 1;
    double b = 1;
    double ll = logLikelihood(groups, a, b);
    double flows = 0;
    for (Group g : groups) {
      for (double c : g.counts()) {
        flows += c;
      }
    }
    for (int it = 1; it <= maxIterations; it++) {
      // gradient and Hessian in (alpha, beta); features x = (log A, -log d)
      double g1 = 0;
      double g2 = 0;
      double h11 = 0;
      double h12 = 0;
      double h22 = 0;
      for (Group g : groups) {
        double[] p = probabilities(a, b, g.logAttractiveness(), g.logDistance());
        double total = 0;
        double e1 = 0;
        double e2 = 0;
        double e11 = 0;
        double e12 = 0;
        double e22 = 0;
        for (int j = 0; j < p.length; j++) {
          double x1 = g.logAttractiveness()[j];
          double x2 = -g.logDistance()[j];
          total += g.counts()[j];
          g1 += g.counts()[j] * x1;
          g2 += g.counts()[j] * x2;
          e1 += p[j] * x1;
          e2 += p[j] * x2;
          e11 += p[j] * x1 * x1;
          e12 += p[j] * x1 * x2;
          e22 += p[j] * x2 * x2;
        }
        g1 -= total * e1;
        g2 -= total * e2;
        h11 += total * (e11 - e1 * e1);
        h12 += total * (e12 - e1 * e2);
        h22 += total * (e22 - e2 * e2);
      }
      double det = h11 * h22 - h12 * h12;
      if (!(det > 1e-12)) {
        throw new IllegalArgumentException("Huff calibration: alpha and beta cannot both be identified from these flows"
            + " (attractiveness or distance does not vary within the units' candidates)");
      }
      // Newton step on theta = (alpha, beta'), beta' the coefficient of -log d = beta
      double d1 = (h22 * g1 - h12 * g2) / det;
      double d2 = (h11 * g2 - h12 * g1) / det;
      double step = 1;
      double next = Double.NEGATIVE_INFINITY;
      for (int half = 0; half < 30; half++) {
        next = logLikelihood(groups, a + step * d1, b + step * d2);
        if (next >= ll - 1e-12) {
          break;
        }
        step /= 2;
      }
      a += step * d1;
      b += step * d2;
      double change = next - ll;
      ll = next;
      if (Math.abs(step * d1) < 1e-9 && Math.abs(step * d2) < 1e-9 || Math.abs(change) < 1e-12 * Math.max(1, Math.abs(ll))) {
        return new Fit(a, b, ll, it, flows, true);
      }
    }
    return new Fit(a, b, ll, maxIterations, flows, false);
  }

  static double logLikelihood(List<Group> groups, double a, double b) {
    double ll = 0;
    for (Group g : groups) {
      double[] p = probabilities(a, b, g.logAttractiveness(), g.logDistance());
      for (int j = 0; j < p.length; j++) {
        if (g.counts()[j] > 0) {
          ll += g.counts()[j] * Math.log(Math.max(p[j], 1e-300));
        }
      }
    }
    return ll;
  }
}
