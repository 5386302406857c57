-- Renewal health's counts per (account, region, key type) of a CA (the
-- console's CA page) come from this index in its GROUP BY order, so the
-- aggregate reads it once without sorting every dependent row; 0031's
-- index keeps serving the first rows to expire in not_after order.
CREATE INDEX acm_certificates_health_groups ON acm_certificates (ca_arn, cert_type, status,
    account_id, region, key_algorithm, renewal_status, exported, next_attempt_at);
