package ai.alo.audio.it.app;

import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;

/** An EJB (container-managed transaction, REQUIRED): reports whether its transaction is active. */
@Stateless
public class StatelessProbe {

    @Resource
    TransactionSynchronizationRegistry transactions;

    public String status() {
        return transactions.getTransactionStatus() == Status.STATUS_ACTIVE ? "active"
                : "status-" + transactions.getTransactionStatus();
    }
}
