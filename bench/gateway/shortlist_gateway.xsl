<?xml version="1.0" encoding="UTF-8"?>
<!-- What socialdefault's gateway does to the example ERP's shortlist, in
     XSLT 1.0 for nginx's xslt filter (adapted from bench/shortlist.xsl):
     the default social supplier is preselected when its price is within the
     tolerance of the cheapest candidate, the social suppliers come first, a
     configured social supplier the ERP left out is injected (without a
     price, which the contract allows), every other
     supplier keeps its place with Preselected false, and a note goes into
     Message. Other messages pass through as a copy. Policy of the flowers
     category of the example deployment, fixed (XSLT has no rotation state). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:erp="urn:example:erp:purchasing:1">
  <xsl:param name="default" select="'BLOEM-01'"/>
  <xsl:param name="social" select="' BLOEM-01 BLOEM-02 BLOEM-03 '"/>
  <xsl:param name="tolerance" select="15"/>
  <xsl:param name="inject-id" select="'BLOEM-03'"/>
  <xsl:param name="inject-name" select="'Kwekerij Samen'"/>
  <xsl:param name="inject-kvk" select="'70000003'"/>
  <xsl:param name="note" select="'Voorgeselecteerd: Bloemenatelier De Werkplaats, 14 banen voor mensen met afstand tot de arbeidsmarkt.'"/>

  <xsl:variable name="suppliers" select="/*/*/erp:GetSupplierShortlistResponse/erp:Suppliers/erp:Supplier"/>
  <xsl:variable name="cheapest">
    <xsl:for-each select="$suppliers/erp:UnitPrice">
      <xsl:sort select="." data-type="number"/>
      <xsl:if test="position() = 1"><xsl:value-of select="."/></xsl:if>
    </xsl:for-each>
  </xsl:variable>
  <xsl:variable name="default-price" select="$suppliers[erp:SupplierId = $default]/erp:UnitPrice"/>
  <xsl:variable name="apply"
                select="not($default-price) or number($default-price) &lt;= number($cheapest) * (1 + $tolerance div 100)"/>
  <xsl:variable name="inject" select="$inject-id != '' and not($suppliers[erp:SupplierId = $inject-id])"/>

  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>

  <!-- XSLT 1.0 allows no variable in a match pattern: $apply is tested inside. -->
  <xsl:template match="erp:GetSupplierShortlistResponse/erp:Suppliers">
    <xsl:copy>
      <xsl:apply-templates select="@*"/>
      <xsl:choose>
        <xsl:when test="$apply">
          <xsl:apply-templates select="erp:Supplier[erp:SupplierId = $default]"/>
          <xsl:apply-templates select="erp:Supplier[erp:SupplierId != $default and
                                       contains($social, concat(' ', erp:SupplierId, ' '))]"/>
          <xsl:if test="$inject">
            <erp:Supplier>
              <erp:SupplierId><xsl:value-of select="$inject-id"/></erp:SupplierId>
              <erp:Name><xsl:value-of select="$inject-name"/></erp:Name>
              <erp:KvK><xsl:value-of select="$inject-kvk"/></erp:KvK>
              <erp:Preselected>false</erp:Preselected>
            </erp:Supplier>
          </xsl:if>
          <xsl:apply-templates select="erp:Supplier[not(contains($social, concat(' ', erp:SupplierId, ' ')))]"/>
        </xsl:when>
        <xsl:otherwise><xsl:apply-templates select="node()"/></xsl:otherwise>
      </xsl:choose>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="erp:GetSupplierShortlistResponse/erp:Suppliers/erp:Supplier/erp:Preselected">
    <xsl:copy>
      <xsl:choose>
        <xsl:when test="not($apply)"><xsl:value-of select="."/></xsl:when>
        <xsl:when test="../erp:SupplierId = $default">true</xsl:when>
        <xsl:otherwise>false</xsl:otherwise>
      </xsl:choose>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="erp:GetSupplierShortlistResponse/erp:Message">
    <xsl:copy>
      <xsl:choose>
        <xsl:when test="$apply"><xsl:value-of select="$note"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="."/></xsl:otherwise>
      </xsl:choose>
    </xsl:copy>
  </xsl:template>
</xsl:stylesheet>
