/** Tables of branding (migration 0004): the brand JSON (`Brand`, validated on write) per tenant and per partner. */
export interface TenantBrandsTable {
  tenant_id: string;
  brand: string;
  updated_at: number;
}

export interface PartnerBrandsTable {
  partner_id: string;
  brand: string;
  updated_at: number;
}

export interface BrandingTables {
  tenant_brands: TenantBrandsTable;
  partner_brands: PartnerBrandsTable;
}
