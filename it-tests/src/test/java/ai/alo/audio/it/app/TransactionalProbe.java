package ai.alo.audio.it.app;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

/** A {@code @Transactional} CDI bean: reports whether a transaction is active inside its method. */
@ApplicationScoped
public class TransactionalProbe {

    @Resource
    TransactionSynchronizationRegistry transactions;

    @Transactional
    public String status() {
        return transactions.getTransactionStatus() == Status.STATUS_ACTIVE ? "active"
                : "status-" + transactions.getTransactionStatus();
    }
}
