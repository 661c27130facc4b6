<?xml version="1.0" encoding="UTF-8"?>
<!-- The same job as socialdefault's rewrite, in XSLT 1.0, for comparison:
     the social suppliers (by id) first, the default preselected, every
     other supplier kept in its order with Preselected false, everything
     else copied. Parameters: the default's id and a space-separated list of
     the social ids in preference order. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:erp="urn:example:erp:purchasing:1">
  <xsl:param name="default" select="'BLOEM-01'"/>
  <xsl:param name="social" select="' BLOEM-01 BLOEM-02 BLOEM-03 '"/>

  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>

  <xsl:template match="erp:Suppliers">
    <xsl:copy>
      <xsl:apply-templates select="@*"/>
      <xsl:apply-templates select="erp:Supplier[erp:SupplierId = $default]"/>
      <xsl:apply-templates select="erp:Supplier[erp:SupplierId != $default and
                                   contains($social, concat(' ', erp:SupplierId, ' '))]"/>
      <xsl:apply-templates select="erp:Supplier[not(contains($social, concat(' ', erp:SupplierId, ' ')))]"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="erp:Supplier/erp:Preselected">
    <xsl:copy>
      <xsl:choose>
        <xsl:when test="../erp:SupplierId = $default">true</xsl:when>
        <xsl:otherwise>false</xsl:otherwise>
      </xsl:choose>
    </xsl:copy>
  </xsl:template>
</xsl:stylesheet>
