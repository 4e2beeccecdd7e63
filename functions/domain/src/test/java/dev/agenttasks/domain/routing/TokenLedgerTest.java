package dev.agenttasks.domain.routing;

import dev.agenttasks.domain.task.TokenLedger;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.task.TokenUsage;

class TokenLedgerTest {

    @Test
    void attemptsAddUpFailedOnesIncludedAndAnEstimateMarksTheWhole() {
        TokenLedger ledger = TokenLedger.EMPTY;
        for (AttemptCharge charge : java.util.List.of(
                new AttemptCharge("m", new TokenUsage(900, 800), new BigDecimal("0.00116"), AttemptCharge.Basis.WORST_CASE),
                new AttemptCharge("m", TokenUsage.NONE, BigDecimal.ZERO, AttemptCharge.Basis.NOT_BILLED),
                new AttemptCharge("m", new TokenUsage(880, 120), new BigDecimal("0.0006140"), AttemptCharge.Basis.REPORTED))) {
            ledger = charge.addTo(ledger);
        }

        assertThat(ledger.inputTokens()).isEqualTo(1_780);
        assertThat(ledger.outputTokens()).isEqualTo(920);
        assertThat(ledger.totalTokens()).isEqualTo(2_700);
        assertThat(ledger.costUsd()).isEqualTo(new BigDecimal("0.001774"));
        assertThat(ledger.estimated()).isTrue();
        assertThat(ledger.attempts()).isEqualTo(3);
    }

    @Test
    void onlyReportedUsageLeavesTheLedgerExact() {
        TokenLedger ledger = new AttemptCharge("m", new TokenUsage(10, 5), new BigDecimal("0.000001"),
                AttemptCharge.Basis.REPORTED).addTo(TokenLedger.EMPTY);

        assertThat(ledger.estimated()).isFalse();
        assertThat(TokenLedger.EMPTY.estimated()).isFalse();
    }

    @Test
    void aLedgerNeverHoldsNegativeAmounts() {
        assertThatThrownBy(() -> new TokenLedger(-1, 0, BigDecimal.ZERO, false, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
