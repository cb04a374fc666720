package dev.cascade.internal.config;

import java.util.Collection;

/** "Did you mean …": the known key nearest to a misspelt one, by edit distance. */
final class Suggestions {

  private Suggestions() {}

  /**
   * {@code "; did you mean 'x'?"} for the nearest of {@code known} when it is near enough to be a
   * typo of {@code given}, else the list of what is known here.
   */
  static String didYouMean(String given, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(given.toLowerCase(), k.toLowerCase());
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    // a third of the word's letters (at least 2) may be wrong: "creatd", "expiry-policy" are not
    // far from what was meant, "foo" is far from everything
    int allowed = Math.max(2, Math.max(given.length(), best == null ? 0 : best.length()) / 3);
    if (best != null && bestDistance <= allowed) {
      return "; did you mean '" + best + "'?";
    }
    return known.isEmpty() ? "" : " (known here: " + String.join(", ", known) + ")";
  }

  /** Levenshtein distance, with a swap of two neighbouring letters counting as one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
