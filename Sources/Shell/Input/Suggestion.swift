// Suggestion.swift — "did you mean" for misspelt commands, settings and parameters.

/// " — did you mean 'show'?" when one candidate is close, else "".
/// Close: a few edits away (a third of the candidate's length), or one word the start of
/// the other (`sho` → `show`, `batchsize` → `batch`).
func suggestion(_ word: String, among candidates: [String]) -> String {
  let typed = word.lowercased()
  let scored = candidates.map { ($0, editDistance(typed, $0.lowercased())) }
  guard let best = scored.min(by: { $0.1 < $1.1 }) else { return "" }
  let candidate = best.0.lowercased()
  let close = best.1 <= max(1, candidate.count / 3) || candidate.hasPrefix(typed)
    || (candidate.count >= 2 && typed.hasPrefix(candidate))
  return close ? " — did you mean '\(best.0)'?" : ""
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// two neighbouring characters each cost 1, so `trian` is one edit from `train`.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a), b = Array(b)
  if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
  // d[i][j]: distance between the first i characters of a and the first j of b.
  var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
  for i in 0...a.count { d[i][0] = i }
  for j in 0...b.count { d[0][j] = j }
  for i in 1...a.count {
    for j in 1...b.count {
      d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
      }
    }
  }
  return d[a.count][b.count]
}
