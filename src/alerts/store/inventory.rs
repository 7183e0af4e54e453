//! Storage of each organisation's software inventory: replaced whole on each upload, and
//! indexed by normalised product name and package URL so publication can find the items an
//! advisory may concern without reading every inventory.

use time::OffsetDateTime;

use crate::{
    alerts::{inventory_files::Format, model::InventoryItem, rules::matching},
    exec_tx,
    platform::{
        db::{Db, Tx, new_id},
        ids::{OrgId, UserId},
    },
    with_db, with_tx,
};

/// The last upload of an organisation's inventory.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Upload {
    pub filename: String,
    pub format: Format,
    pub item_count: i64,
    pub uploaded_at: OffsetDateTime,
    pub uploaded_by_name: String,
}

pub async fn upload(db: &Db, org: OrgId) -> Result<Option<Upload>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, Upload>(
        "SELECT i.filename, i.format, i.item_count, i.uploaded_at, u.name AS uploaded_by_name \
         FROM inventory_uploads i JOIN users u ON u.id = i.uploaded_by WHERE i.organisation_id = $1"
    )
    .bind(org)
    .fetch_optional(pool)
    .await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ItemRow {
    vendor: String,
    product: String,
    version: String,
    count: i64,
    location: String,
    cpe: Option<String>,
    purl: Option<String>,
}

impl From<ItemRow> for InventoryItem {
    fn from(r: ItemRow) -> Self {
        InventoryItem {
            vendor: r.vendor,
            product: r.product,
            version: r.version,
            count: r.count,
            location: r.location,
            cpe: r.cpe,
            purl: r.purl,
        }
    }
}

/// An organisation's inventory in the order it was uploaded.
pub async fn items(db: &Db, org: OrgId) -> Result<Vec<InventoryItem>, sqlx::Error> {
    let rows: Vec<ItemRow> = with_db!(db, |pool| sqlx::query_as(
        "SELECT vendor, product, version, count, location, cpe, purl FROM inventory_items \
         WHERE organisation_id = $1 ORDER BY position"
    )
    .bind(org)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Rows per multi-row insert (13 parameters each).
const BATCH: usize = 500;

/// Replaces an organisation's inventory with `items`.
pub async fn replace(
    tx: &mut Tx,
    org: OrgId,
    filename: &str,
    format: Format,
    items: &[InventoryItem],
    by: UserId,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM inventory_items WHERE organisation_id = $1"
    )
    .bind(org)
    .execute(c)
    .await)?;
    let numbered: Vec<(i64, &InventoryItem)> = (0_i64..).zip(items).collect();
    for chunk in numbered.chunks(BATCH) {
        exec_tx!(tx, |c| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO inventory_items (id, organisation_id, position, vendor, product, \
                 version, count, location, cpe, purl, norm_vendor, norm_product, purl_key) ",
            );
            q.push_values(chunk, |mut b, (position, item)| {
                let keys = matching::item_keys(item);
                b.push_bind(new_id())
                    .push_bind(org)
                    .push_bind(*position)
                    .push_bind(&item.vendor)
                    .push_bind(&item.product)
                    .push_bind(&item.version)
                    .push_bind(item.count)
                    .push_bind(&item.location)
                    .push_bind(&item.cpe)
                    .push_bind(&item.purl)
                    .push_bind(keys.norm_vendor)
                    .push_bind(keys.norm_product)
                    .push_bind(keys.purl_key);
            });
            q.build().execute(c).await
        })?;
    }
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO inventory_uploads (organisation_id, filename, format, item_count, \
         uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (organisation_id) DO UPDATE SET filename = excluded.filename, \
         format = excluded.format, item_count = excluded.item_count, \
         uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at"
    )
    .bind(org)
    .bind(filename)
    .bind(format)
    .bind(items.len() as i64)
    .bind(by)
    .bind(at)
    .execute(c)
    .await)?;
    Ok(())
}

/// Items of any organisation whose normalised product name or package URL is one of those
/// given: the only items that can match an advisory's affected products.
pub async fn candidates(
    tx: &mut Tx,
    products: &[String],
    purls: &[String],
    only_org: Option<OrgId>,
) -> Result<Vec<(OrgId, InventoryItem)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        organisation_id: OrgId,
        #[sqlx(flatten)]
        item: ItemRow,
    }
    if products.is_empty() && purls.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Row> = with_tx!(tx, |c| {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT organisation_id, vendor, product, version, count, location, cpe, purl \
             FROM inventory_items WHERE (norm_product IN (",
        );
        let mut sep = q.separated(", ");
        sep.push_bind("");
        for p in products {
            sep.push_bind(p.as_str());
        }
        q.push(") OR purl_key IN (");
        let mut sep = q.separated(", ");
        sep.push_bind("");
        for p in purls {
            sep.push_bind(p.as_str());
        }
        q.push("))");
        if let Some(org) = only_org {
            q.push(" AND organisation_id = ").push_bind(org);
        }
        q.push(" ORDER BY organisation_id, position");
        q.build_query_as::<Row>().fetch_all(c).await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| (r.organisation_id, r.item.into()))
        .collect())
}

/// One page of an organisation's inventory, in the order it was uploaded.
pub async fn items_page(
    db: &Db,
    org: OrgId,
    limit: i64,
    offset: i64,
) -> Result<Vec<InventoryItem>, sqlx::Error> {
    let rows: Vec<ItemRow> = with_db!(db, |pool| sqlx::query_as(
        "SELECT vendor, product, version, count, location, cpe, purl FROM inventory_items \
         WHERE organisation_id = $1 ORDER BY position LIMIT $2 OFFSET $3"
    )
    .bind(org)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}
