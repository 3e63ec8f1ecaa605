// Suggestion.swift — "did you mean" for misspelt commands, settings and parameters.

/// " — did you mean 'show'?" when one candidate is close, else "".
func suggestion(_ word: String, among candidates: [String]) -> String {
  let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
  guard let best = scored.min(by: { $0.1 < $1.1 }),
        best.1 <= max(1, best.0.count / 3) || best.0.hasPrefix(word.lowercased()) else { return "" }
  return " — did you mean '\(best.0)'?"
}

/// Levenshtein distance: insertions, deletions and substitutions each cost 1.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a), b = Array(b)
  if a.isEmpty { return b.count }
  var previous = Array(0...b.count)
  for i in 1...a.count {
    var current = [i] + Array(repeating: 0, count: b.count)
    for j in 1...max(1, b.count) where !b.isEmpty {
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.count]
}
