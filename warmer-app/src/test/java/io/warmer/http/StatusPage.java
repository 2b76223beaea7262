package io.warmer.http;

import io.warmer.testing.HeadlessChromium;
import java.util.List;
import java.util.Map;

/**
 * What the status page shows, read through its test hooks ({@code data-family}, {@code #ready}, {@code .coverage-bar},
 * …). Each read is one script run in the page, so it sees one refresh, never half of two.
 */
final class StatusPage {

    /** One family's card as shown; counts are the raw values behind the formatted text (null when shown as a dash). */
    record ShownFamily(String name, String stage, String key, String table, Double coverage, String coverageText,
                       String barWidth, String coverageDetail, String waitingFor, Long lag, Double rate, Long written,
                       String writtenText, Long deleted, Long fenced, Long deadLettered, String chartMax) {
    }

    /** The header and the banners. */
    record ShownHeader(String applicationId, String ready, List<String> readyWhy, String capture, List<String> health,
                       boolean offline, String connection, String checkError) {
    }

    private static final String READ_FAMILY = """
            const card = document.querySelector('#families [data-family="' + CSS.escape(arguments[0]) + '"]');
            if (card == null) return null;
            const text = selector => card.querySelector(selector).textContent;
            const value = selector => card.querySelector(selector).dataset.value;
            const waiting = card.querySelector('.waiting');
            return {name: text('.name'), stage: text('.stage'), key: text('.key'), table: text('.table'),
                coverage: value('.coverage-value'), coverageText: text('.coverage-value'),
                barWidth: card.querySelector('.coverage-bar').style.width, coverageDetail: text('.coverage-detail'),
                waitingFor: waiting.hidden ? null : waiting.textContent, lag: value('.lag'), rate: value('.rate'),
                written: value('.written'), writtenText: text('.written'), deleted: value('.deleted'),
                fenced: value('.fenced'), deadLettered: value('.dead-lettered'), chartMax: text('.chart-max')};
            """;

    private static final String READ_HEADER = """
            const text = id => document.getElementById(id).textContent;
            const banner = document.getElementById('connection');
            const checkError = document.getElementById('check-error');
            return {applicationId: text('app-id'), ready: text('ready'),
                readyWhy: [...document.querySelectorAll('#ready-why li')].map(li => li.textContent),
                capture: text('capture'),
                health: [...document.querySelectorAll('#health li')].map(li => li.textContent),
                offline: document.body.classList.contains('offline'),
                connection: banner.hidden ? null : banner.textContent,
                checkError: checkError.hidden ? null : checkError.textContent};
            """;

    private final HeadlessChromium browser;

    StatusPage(HeadlessChromium browser) {
        this.browser = browser;
    }

    List<String> familyNames() {
        return browser.script("return [...document.querySelectorAll('#families [data-family]')]"
                + ".map(card => card.querySelector('.name').textContent)");
    }

    /** The family's card, or null while the page shows none for it. */
    ShownFamily family(String name) {
        Map<String, Object> shown = browser.script(READ_FAMILY, name);
        if (shown == null) {
            return null;
        }
        return new ShownFamily((String) shown.get("name"), (String) shown.get("stage"), (String) shown.get("key"),
                (String) shown.get("table"), decimal(shown.get("coverage")), (String) shown.get("coverageText"),
                (String) shown.get("barWidth"), (String) shown.get("coverageDetail"), (String) shown.get("waitingFor"),
                count(shown.get("lag")), decimal(shown.get("rate")), count(shown.get("written")),
                (String) shown.get("writtenText"), count(shown.get("deleted")), count(shown.get("fenced")),
                count(shown.get("deadLettered")), (String) shown.get("chartMax"));
    }

    @SuppressWarnings("unchecked")
    ShownHeader header() {
        Map<String, Object> shown = browser.script(READ_HEADER);
        return new ShownHeader((String) shown.get("applicationId"), (String) shown.get("ready"),
                (List<String>) shown.get("readyWhy"), (String) shown.get("capture"), (List<String>) shown.get("health"),
                (Boolean) shown.get("offline"), (String) shown.get("connection"), (String) shown.get("checkError"));
    }

    /** The recent errors' messages as shown, the newest first; empty when the list says none. */
    List<String> recentErrorMessages() {
        return browser.script("return [...document.querySelectorAll('#errors li .message')].map(m => m.textContent)");
    }

    /** How many elements of the tag are inside the element with the id: markup from data must add none. */
    long elementsInside(String id, String tag) {
        Number count = browser.script("return document.getElementById(arguments[0]).getElementsByTagName(arguments[1])"
                + ".length", id, tag);
        return count.longValue();
    }

    private static Long count(Object value) {
        return value == null || value.toString().isEmpty() ? null : Long.parseLong(value.toString());
    }

    private static Double decimal(Object value) {
        return value == null || value.toString().isEmpty() ? null : Double.parseDouble(value.toString());
    }
}
