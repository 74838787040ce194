package dev.sluice.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code Content-Type}, for comparing what a container wrote with what upstream sent.
 * Containers may write the header back in another legal form (Tomcat turns {@code
 * text/event-stream; charset=utf-8} into {@code text/event-stream;charset=utf-8}), so the contract
 * compares meanings, not bytes (RFC 9110 §8.3.1).
 */
record MediaType(String type, Map<String, String> parameters) {

  /** Parses {@code type/subtype *( OWS ";" OWS name=value )}; quoted values are unquoted. */
  static MediaType parse(String header) {
    int semi = header.indexOf(';');
    String type = (semi < 0 ? header : header.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    Map<String, String> parameters = new LinkedHashMap<>();
    int i = semi;
    while (i >= 0 && i < header.length()) {
      int start = i + 1;
      int eq = header.indexOf('=', start);
      int nextSemi = header.indexOf(';', start);
      if (eq < 0 || (nextSemi >= 0 && nextSemi < eq)) { // an empty or value-less parameter
        i = nextSemi;
        continue;
      }
      String name = header.substring(start, eq).trim().toLowerCase(Locale.ROOT);
      StringBuilder value = new StringBuilder();
      int j = eq + 1;
      if (j < header.length() && header.charAt(j) == '"') {
        for (j++; j < header.length() && header.charAt(j) != '"'; j++) {
          if (header.charAt(j) == '\\' && j + 1 < header.length()) j++;
          value.append(header.charAt(j));
        }
        j = header.indexOf(';', j);
      } else {
        int end = header.indexOf(';', j);
        value.append(header, j, end < 0 ? header.length() : end);
        j = end;
      }
      String v = value.toString().trim();
      parameters.put(name, name.equals("charset") ? v.toLowerCase(Locale.ROOT) : v);
      i = j;
    }
    return new MediaType(type, Map.copyOf(parameters));
  }

  static void assertSame(Optional<String> actual, Optional<String> expected) {
    assertThat(expected).as("upstream's content-type").isPresent();
    assertThat(actual).as("relayed content-type").isPresent();
    assertThat(parse(actual.get()))
        .as("relayed content-type '%s' vs upstream's '%s'", actual.get(), expected.get())
        .isEqualTo(parse(expected.get()));
  }
}
