-- Renewal health of a CA (the console's CA page) counts and lists its
-- issued private certificates from this index alone: without it every
-- dependent row, keys and certificates included, is read per page view.
-- not_after follows the equality columns so the first rows to expire are
-- read in order.
CREATE INDEX acm_certificates_health ON acm_certificates (ca_arn, cert_type, status, not_after,
    account_id, region, key_algorithm, renewal_status, exported, next_attempt_at, id, arn, renewal_reason);
